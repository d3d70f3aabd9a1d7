#include "components/sar_adc.h"

#include <string>

#include "core/errors.h"

namespace bitcim {

SarAdc::SarAdc(unsigned built_bits) : m_built_bits(built_bits) {}

uint64_t SarAdc::threshold(uint64_t code, unsigned lsb_shift) {
    // With a unit LSB the bitline is an integer and the half-LSB offset never matters.
    return lsb_shift == 0 ? code : (code << lsb_shift) - (uint64_t{1} << (lsb_shift - 1));
}

uint32_t SarAdc::convert(uint64_t bitline, const core::AdcTransfer& transfer, bool* saturated) {
    const unsigned bits = transfer.bits();
    if (bits == 0 || bits > m_built_bits)
        throw InputError("SAR ADC built for " + std::to_string(m_built_bits) + " bits cannot convert at " +
                         std::to_string(bits));
    uint32_t code = 0;
    for (unsigned b = bits; b-- > 0;) {
        const uint32_t trial = code | (1u << b);
        if (bitline >= threshold(trial, transfer.lsb_shift())) code = trial;
        ++m_steps;
    }
    *saturated = bitline >= threshold(uint64_t{transfer.max_code()} + 1, transfer.lsb_shift());
    ++m_conversions;
    return code;
}

}  // namespace bitcim

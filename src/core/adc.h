// ADC transfer function: the one C++ definition of how a bitline sum becomes an
// ADC code and how shift-add turns the code back into a column-sum value.
#pragma once

#include <cmath>
#include <cstdint>

namespace bitcim::core {

/// N-bit unsigned ADC. `clip`: 1 LSB = one unit of column sum, saturating at
/// 2^N - 1. `scaled`: 1 LSB = 2^lsb_shift units, where lsb_shift is the smallest
/// that lets the top code reach the calibrated full scale; the sum is rounded to
/// the nearest code (half up) and saturates above the top code.
class AdcTransfer {
public:
    static AdcTransfer clip(unsigned bits) { return AdcTransfer(bits, 0); }
    static AdcTransfer scaled(unsigned bits, uint64_t full_scale);

    unsigned bits() const { return m_bits; }
    unsigned lsb_shift() const { return m_shift; }
    uint32_t max_code() const { return m_max_code; }

    /// Converts a non-negative bitline sum; sets *saturated when it clips.
    uint32_t convert(uint64_t sum, bool* saturated) const {
        const uint64_t rounded = m_shift ? (sum + (uint64_t{1} << (m_shift - 1))) >> m_shift : sum;
        *saturated = rounded > m_max_code;
        return *saturated ? m_max_code : static_cast<uint32_t>(rounded);
    }
    /// Converts an analog bitline value (column-sum units, possibly off the integer
    /// grid or negative after device faults): the same rounding, clamped at code 0.
    /// Equals convert() on every integer sum.
    uint32_t convert_analog(double value, bool* saturated) const {
        const double rounded = std::floor(std::ldexp(value, -static_cast<int>(m_shift)) + 0.5);
        *saturated = rounded > m_max_code;
        if (*saturated) return m_max_code;
        return rounded > 0 ? static_cast<uint32_t>(rounded) : 0;
    }
    /// The column-sum value a code stands for, as the shift-add unit sees it.
    uint64_t value(uint32_t code) const { return uint64_t{code} << m_shift; }

private:
    AdcTransfer(unsigned bits, unsigned shift)
        : m_bits(bits), m_shift(shift), m_max_code((uint32_t{1} << bits) - 1) {}
    unsigned m_bits;
    unsigned m_shift;
    uint32_t m_max_code;
};

}  // namespace bitcim::core

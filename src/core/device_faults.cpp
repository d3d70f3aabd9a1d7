#include "core/device_faults.h"

#include <algorithm>

#include <Random123/boxmuller.hpp>
#include <Random123/philox.h>
#include <Random123/uniform.hpp>

namespace bitcim::core {

namespace {

// Stream tags in the top byte of the first counter word keep the three kinds of
// draw independent of each other.
constexpr uint64_t kCellStream = uint64_t{1} << 56;
constexpr uint64_t kAdcOffsetStream = uint64_t{2} << 56;
constexpr uint64_t kAdcNoiseStream = uint64_t{3} << 56;
constexpr unsigned kChunkBits = 8;  // input chunks per vector fit in 8 bits (input_bits <= 16)

r123::Philox4x64::ctr_type draw(uint64_t seed, uint64_t layer, uint64_t c0, uint64_t c1, uint64_t c2, uint64_t c3) {
    const r123::Philox4x64::ctr_type ctr = {{c0, c1, c2, c3}};
    const r123::Philox4x64::key_type key = {{seed, layer}};
    return r123::Philox4x64()(ctr, key);
}

}  // namespace

FaultDraws::Cell FaultDraws::cell(const CellKey& k, unsigned level, unsigned top_level) const {
    const auto r = draw(m_faults.seed, m_layer, kCellStream | (uint64_t{k.plane_set} << 32) | k.slot, k.output,
                        k.input, 0);
    Cell c{CellFault::None, static_cast<double>(level)};
    const double u = r123::u01<double>(r[0]);
    if (u < m_faults.stuck_lrs_rate) {
        c.fault = CellFault::StuckLrs;
        level = top_level;
    } else if (u < m_faults.stuck_lrs_rate + m_faults.stuck_hrs_rate) {
        c.fault = CellFault::StuckHrs;
        level = 0;
    }
    const double sigma = m_faults.sigma_of(level);
    const double z = sigma > 0 ? r123::boxmuller(r[1], r[2]).x : 0.0;
    c.conductance = std::max(0.0, static_cast<double>(level) + sigma * z);
    return c;
}

double FaultDraws::adc_offset_lsb(const AdcKey& k) const {
    if (m_faults.adc_offset_sigma <= 0) return 0;
    const auto r = draw(m_faults.seed, m_layer, kAdcOffsetStream | k.column_group, k.row_block, k.xbar, k.adc);
    return m_faults.adc_offset_sigma * r123::boxmuller(r[0], r[1]).x;
}

double FaultDraws::adc_noise_lsb(unsigned column_group, uint64_t output, uint64_t group, unsigned chunk,
                                 uint64_t epoch) const {
    if (m_faults.adc_noise_sigma <= 0) return 0;
    const auto r = draw(m_faults.seed, m_layer, kAdcNoiseStream | column_group, output, group,
                        (epoch << kChunkBits) | chunk);
    return m_faults.adc_noise_sigma * r123::boxmuller(r[0], r[1]).x;
}

}  // namespace bitcim::core

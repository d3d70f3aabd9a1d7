// Behavioural SAR ADC: N comparator decisions, MSB first, each against the
// capacitive DAC's level for the trial code. Resolution is set per conversion
// (per weight slice) at run time, up to the resolution it was built with.
#pragma once

#include <cstdint>

#include "core/adc.h"

namespace bitcim {

class SarAdc {
public:
    explicit SarAdc(unsigned built_bits);

    unsigned built_bits() const { return m_built_bits; }
    /// Converts with the resolution and LSB of `transfer` (bits <= built_bits);
    /// sets *saturated when the over-range comparator trips.
    uint32_t convert(uint64_t bitline, const core::AdcTransfer& transfer, bool* saturated);
    /// Comparator decisions made so far (N per conversion).
    uint64_t steps() const { return m_steps; }
    uint64_t conversions() const { return m_conversions; }

    /// DAC level for a trial code: the bitline value at which the comparator flips,
    /// (code - 1/2) LSB, in column-sum units (the LSB is 2^shift units).
    static uint64_t threshold(uint64_t code, unsigned lsb_shift);

private:
    unsigned m_built_bits;
    uint64_t m_steps = 0;
    uint64_t m_conversions = 0;
};

}  // namespace bitcim

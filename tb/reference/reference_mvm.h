// A deliberately naive reference of the bit-sliced MVM, written straight from
// DESIGN.md's formula (loops over rows, no bit-planes), for the golden model's
// tests. Only the ADC transfer function is shared with the model.
#pragma once

#include <cstdint>
#include <vector>

#include "core/adc.h"
#include "core/hw_config.h"
#include "core/int_matrix.h"

namespace bitcim::test {

struct ReferenceResult {
    std::vector<int64_t> y;
    std::vector<uint64_t> conversions;
    std::vector<uint64_t> saturations;
};

inline ReferenceResult reference_mvm(const core::HwConfig& c, const core::IntMatrix& w,
                                     const std::vector<uint32_t>& x) {
    using core::AdcTransfer;
    const unsigned n = c.weight_bits, cb = c.cell_bits, d = c.dac_bits;
    const unsigned slices = n / cb;
    const bool twos = c.sign == core::SignMode::Twos;
    const bool analog = c.composition == core::Composition::Analog;
    ReferenceResult r;
    r.y.assign(w.rows, 0);
    r.conversions.assign(c.adc_bits.size(), 0);
    r.saturations.assign(c.adc_bits.size(), 0);
    const uint64_t top_level = (1u << d) - 1;
    auto adc = [&](unsigned group, uint64_t max_cell) {
        if (c.adc_mode == core::AdcMode::Clip) return AdcTransfer::clip(c.adc_bits[group]);
        const uint64_t fs = c.adc_full_scale.empty() ? c.parallel_rows * top_level * max_cell
                                                     : c.adc_full_scale[group];
        return AdcTransfer::scaled(c.adc_bits[group], fs);
    };
    // What a weight stores for polarity `pol` (0 positive/pattern, 1 negative).
    auto stored = [&](int64_t v, int pol) -> uint64_t {
        if (twos) return pol == 0 ? static_cast<uint64_t>(v) & ((uint64_t{1} << n) - 1) : 0;
        if (pol == 0) return v > 0 ? static_cast<uint64_t>(v) : 0;
        return v < 0 ? static_cast<uint64_t>(-v) : 0;
    };
    auto convert = [&](unsigned group, const AdcTransfer& a, uint64_t sum) {
        bool sat = false;
        const uint32_t code = a.convert(sum, &sat);
        ++r.conversions[group];
        r.saturations[group] += sat;
        return static_cast<int64_t>(a.value(code));
    };
    const unsigned chunks = (c.input_bits + d - 1) / d;
    const size_t groups = (w.cols + c.parallel_rows - 1) / c.parallel_rows;
    const int pols = twos ? 1 : 2;
    for (unsigned t = 0; t < chunks; ++t) {
        for (size_t g = 0; g < groups; ++g) {
            const size_t lo = g * c.parallel_rows;
            const size_t hi = std::min<size_t>(w.cols, lo + c.parallel_rows);
            for (size_t m = 0; m < w.rows; ++m) {
                auto chunk = [&](size_t i) { return (x[i] >> (d * t)) & top_level; };
                for (int pol = 0; pol < pols; ++pol) {
                    const int sgn = pol == 0 ? 1 : -1;
                    if (analog) {
                        uint64_t sum = 0;
                        for (size_t i = lo; i < hi; ++i) sum += chunk(i) * stored(w.at(m, i), pol);
                        r.y[m] += sgn * (convert(0, adc(0, (1u << n) - 1), sum) << (d * t));
                    } else {
                        for (unsigned k = 0; k < slices; ++k) {
                            const unsigned group = slices - 1 - k;
                            uint64_t sum = 0;
                            for (size_t i = lo; i < hi; ++i)
                                sum += chunk(i) * ((stored(w.at(m, i), pol) >> (cb * k)) & ((1u << cb) - 1));
                            r.y[m] += sgn * (convert(group, adc(group, (1u << cb) - 1), sum) << (cb * k + d * t));
                        }
                    }
                }
                if (twos) {  // the sign column: weight -2^n
                    uint64_t sum = 0;
                    for (size_t i = lo; i < hi; ++i) sum += chunk(i) * (stored(w.at(m, i), 0) >> (n - 1));
                    r.y[m] -= convert(0, adc(0, 1), sum) << (n + d * t);
                }
            }
        }
    }
    return r;
}

}  // namespace bitcim::test

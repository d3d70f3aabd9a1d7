// Number formats shared by the golden model, the SystemC model and (as twins in
// models/bitcim/hw/quant.py) the training library: weight quantization and slicing.
#pragma once

#include <cstdint>
#include <vector>

namespace bitcim::core {

/// Dynamic fixed point (bit-slice L1 paper eq. 1-2): S = ceil(log2 max|w|),
/// step = 2^(S-n), B = min(floor(|w|/step), 2^n - 1), sign kept apart.
struct DfpQuantized {
    std::vector<int64_t> values;  ///< sign * B
    int step_log2 = 0;            ///< step = 2^step_log2
};
DfpQuantized quantize_dfp(const std::vector<float>& w, unsigned bits);

/// Symmetric (twofold-sparsity slides): s = max|W|, q = round(W/s * (2^(n-1)-1)),
/// rounding half away from zero, computed in double as (w / s) * L.
struct SymQuantized {
    std::vector<int64_t> values;
    double scale = 0;  ///< s / (2^(n-1) - 1): the real value of one step
};
SymQuantized quantize_sym(const std::vector<float>& w, unsigned bits);

/// ceil(log2 m) for m > 0, exact (by frexp, not by a rounded log2).
int ceil_log2(double m);

/// Slice k (0 = LSB) of an unsigned pattern: bits [c*k, c*k + c).
constexpr uint32_t slice_of(uint64_t pattern, unsigned k, unsigned cell_bits) {
    return static_cast<uint32_t>((pattern >> (cell_bits * k)) & ((uint64_t{1} << cell_bits) - 1));
}

/// The n-bit two's complement pattern of w (w must fit in n bits).
constexpr uint64_t twos_pattern(int64_t w, unsigned bits) {
    return static_cast<uint64_t>(w) & ((uint64_t{1} << bits) - 1);
}

}  // namespace bitcim::core

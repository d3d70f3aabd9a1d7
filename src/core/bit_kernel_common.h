// Parts every kernel path shares (bit_kernel_*.cpp): the chunk sums and ADC clip of
// one signal and the int16 GEMV loop. Internal linkage and always inlined, so each
// path compiles them for its own instruction set and no ODR copy leaks across paths.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bit_kernel.h"

#define BITCIM_KERNEL_INLINE static inline __attribute__((always_inline))

namespace bitcim::core::kernel {

// With 8-bit weights and inputs a product fits in 16 bits and 2^15 of them in an int32.
constexpr size_t kGemvBlock = size_t{1} << 15;

/// A signal's value in a row: sums over chunks (shifted by d t) of the clipped codes
/// (full) or minus their excess, signed and shifted; wrapping uint64 arithmetic gives
/// the same bits as the int64 shift-add it replaces.
BITCIM_KERNEL_INLINE uint64_t signal_value(const Signal& s, bool full, uint64_t clipped, uint64_t excess) {
    const uint64_t v = (full ? clipped : 0 - excess) << s.out_shift;
    return s.negative ? 0 - v : v;
}

/// Signal `s`'s chunk sums from its per-plane sums, clipped at the top code: its value
/// in the row, and the saturations added.
BITCIM_KERNEL_INLINE uint64_t clip_tail(const Signal& s, const uint64_t* plane_sums, unsigned planes, const RowArgs& a,
                                        uint64_t& saturations) {
    uint64_t clipped = 0, excess = 0;
    for (unsigned t = 0; t < a.chunks; ++t) {
        uint64_t sum = 0;
        for (unsigned e = 0; e < a.dac_bits && a.dac_bits * t + e < planes; ++e)
            sum += plane_sums[a.dac_bits * t + e] << e;
        const uint64_t code = sum > s.max_code ? s.max_code : sum;
        saturations += sum > s.max_code;
        clipped += code << (a.dac_bits * t);
        excess += (sum - code) << (a.dac_bits * t);
    }
    return signal_value(s, a.full, clipped, excess);
}

/// Visits every (group, signal) of a row that is to be converted: the group's
/// transposed input and weight planes, and the signal's index.
template <typename PerSignal>
BITCIM_KERNEL_INLINE void for_each_signal(const RowArgs& a, const RowWeights& w, PerSignal per_signal) {
    const size_t x_stride = a.words * a.blocks * kPlaneLanes;
    for (size_t g = 0; g < a.groups; ++g) {
        const uint32_t mask = w.signals[g] & a.group_signals[g];
        if (!mask) continue;
        const uint64_t* x = a.x + g * x_stride;
        const uint64_t* planes = w.planes + g * w.group_stride;
        for (uint32_t m = mask; m; m &= m - 1)
            per_signal(x, a.xmask[g], planes, w.wmask[g], static_cast<unsigned>(__builtin_ctz(m)));
    }
}

/// y += W x on int16 weights and inputs: int32 blocks of kGemvBlock products, int64 total.
BITCIM_KERNEL_INLINE void gemv16_loop(const int16_t* w, const int16_t* x, size_t rows, size_t cols, int64_t* y) {
    for (size_t out = 0; out < rows; ++out) {
        const int16_t* row = w + out * cols;
        int64_t acc = 0;
        for (size_t lo = 0; lo < cols; lo += kGemvBlock) {
            const size_t hi = cols - lo < kGemvBlock ? cols : lo + kGemvBlock;
            int32_t block = 0;
            for (size_t i = lo; i < hi; ++i) block += int32_t{row[i]} * int32_t{x[i]};
            acc += block;
        }
        y[out] += acc;
    }
}

/// Cell reads per value: u32 x u32 products summed in uint64, as the counters are,
/// one dot product per value so that each path vectorizes it (widening multiplies).
BITCIM_KERNEL_INLINE void cell_reads_loop(const uint32_t* levels, const uint32_t* cells, size_t inputs,
                                          unsigned values, uint64_t* reads) {
    for (unsigned v = 0; v < values; ++v) {
        const uint32_t* c = cells + v * inputs;
        uint64_t acc = 0;
        for (size_t i = 0; i < inputs; ++i) acc += uint64_t{levels[i]} * c[i];
        reads[v] += acc;
    }
}

/// Transposes inputs one plane at a time through a byte image (the low or high byte of
/// each input), `bit_of(bytes, b)` giving the 64-row word of plane b.
template <typename PlaneWord>
BITCIM_KERNEL_INLINE uint32_t transpose_bytes(const uint32_t* x, size_t count, size_t words, unsigned blocks,
                                              uint64_t* out, PlaneWord plane_word) {
    constexpr unsigned kRowsPerWord = 64;
    constexpr unsigned kByteBits = 8;
    const unsigned stride = blocks * kPlaneLanes;
    uint32_t nonzero = 0;
    alignas(64) uint8_t bytes[kRowsPerWord];
    for (size_t wd = 0; wd < words; ++wd) {
        const size_t lo = wd * kRowsPerWord;
        const size_t n = count > lo ? (count - lo < kRowsPerWord ? count - lo : kRowsPerWord) : 0;
        for (unsigned half = 0; half < blocks; ++half) {
            for (size_t i = 0; i < kRowsPerWord; ++i)
                bytes[i] = i < n ? static_cast<uint8_t>(x[lo + i] >> (kByteBits * half)) : 0;
            for (unsigned b = 0; b < kByteBits; ++b) {
                const uint64_t word = plane_word(bytes, b);
                out[wd * stride + half * kPlaneLanes + b] = word;
                nonzero |= uint32_t{word != 0} << (half * kPlaneLanes + b);
            }
        }
    }
    return nonzero;
}

}  // namespace bitcim::core::kernel

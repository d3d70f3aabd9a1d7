// Parts every kernel path shares (bit_kernel_*.cpp): the chunk sums and ADC clip of
// one signal, the half-weight GEMV loop and the cell reads. Internal linkage and always
// inlined, so each path compiles them for its own instruction set and no ODR copy leaks
// across paths.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/bit_kernel.h"

#define BITCIM_KERNEL_INLINE static inline __attribute__((always_inline))

namespace bitcim::core::kernel {

// (2 h + o) times an 8-bit input is at most 255 * 255, so 2^15 of them fit in an int32.
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

/// Each byte of a word's odd bits spread into eight bytes of 0 or 1.
struct OddBytes {
    uint64_t of[256];
    constexpr OddBytes() : of() {
        for (unsigned b = 0; b < 256; ++b)
            for (unsigned i = 0; i < 8; ++i) of[b] |= uint64_t{(b >> i) & 1u} << (8 * i);
    }
};
inline constexpr OddBytes kOddBytes{};

/// The rows of row block rb that are the layer's (the last block's may be padding).
BITCIM_KERNEL_INLINE size_t rows_in_block(const HalfGemvArgs& a, size_t rb) {
    return a.rows - rb * kGemvRows < kGemvRows ? a.rows - rb * kGemvRows : kGemvRows;
}

/// y += W x from the VNNI layout of halves and odd bits (HalfGemvArgs), one row block at
/// a time, in plain loops over the block's 64 (row, input) lanes that each path's compiler
/// vectorizes: lane j of a quad is 2 h + o times its input. int32 lanes of at most
/// kGemvBlock quads, int64 sums.
BITCIM_KERNEL_INLINE void gemv_half_loop(const HalfGemvArgs& a, int64_t* y) {
    constexpr size_t kLanes = kGemvRows * kGemvQuad;
    for (size_t rb = 0; rb * kGemvRows < a.rows; ++rb) {
        const int8_t* half = a.half + rb * a.quads * kLanes;
        const uint64_t* odd = a.odd + rb * a.quads;
        int64_t acc[kGemvRows] = {};
        for (size_t q0 = 0; q0 < a.quads; q0 += kGemvBlock) {
            const size_t q1 = a.quads - q0 < kGemvBlock ? a.quads : q0 + kGemvBlock;
            int32_t lane[kLanes] = {};
            for (size_t q = q0; q < q1; ++q) {
                alignas(64) uint8_t o[kLanes];
                alignas(64) uint8_t xs[kLanes];
                for (size_t b = 0; b < kLanes / 8; ++b) {
                    const uint64_t spread = kOddBytes.of[(odd[q] >> (8 * b)) & 0xFFu];
                    __builtin_memcpy(o + 8 * b, &spread, 8);
                }
                uint32_t quad;  // the quad's four inputs, once per row of the block
                __builtin_memcpy(&quad, a.x + q * kGemvQuad, sizeof quad);
                for (size_t r = 0; r < kGemvRows; ++r) __builtin_memcpy(xs + r * kGemvQuad, &quad, sizeof quad);
                const int8_t* h = half + q * kLanes;
                for (size_t j = 0; j < kLanes; ++j) lane[j] += (2 * int32_t{h[j]} + int32_t{o[j]}) * int32_t{xs[j]};
            }
            for (size_t r = 0; r < kGemvRows; ++r)
                for (size_t k = 0; k < kGemvQuad; ++k) acc[r] += lane[r * kGemvQuad + k];
        }
        for (size_t r = 0; r < rows_in_block(a, rb); ++r) y[rb * kGemvRows + r] += acc[r];
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

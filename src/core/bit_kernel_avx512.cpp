// The AVX-512 kernel path: eight 64-bit input planes per register and VPOPCNTQ, so
// one weight word ANDed with one register counts that word for every input bit. With
// a 1-bit DAC and at most 8 input bits the planes are the chunks and the ADC clip runs
// in the register too; the linear part multiplies 8-bit inputs by int8 halves of the
// weights with VPDPBUSD (VNNI). Compiled for AVX-512 by a target pragma around this file's own
// code only (see bit_kernel_avx2.cpp).
#include <immintrin.h>

#include "core/bit_kernel.h"

#pragma GCC push_options
// GCC 12's AVX-512 intrinsics start masked forms from a self-initialized undefined
// vector, which -Wmaybe-uninitialized reports; the value is never read.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC target("avx512f,avx512bw,avx512vl,avx512vpopcntdq,avx512vnni,avx2,popcnt")

#include "core/bit_kernel_common.h"

namespace bitcim::core::kernel {

namespace {

uint32_t transpose_avx512(const uint32_t* x, size_t count, size_t words, unsigned blocks, uint64_t* out) {
    return transpose_bytes(x, count, words, blocks, out, [](const uint8_t* bytes, unsigned b) {
        const __m512i v = _mm512_load_si512(bytes);
        return static_cast<uint64_t>(_mm512_test_epi8_mask(v, _mm512_set1_epi8(static_cast<char>(1u << b))));
    });
}

// Per-plane sums of one signal, one register per plane block.
BITCIM_KERNEL_INLINE void plane_sums(const RowArgs& a, const Signal& s, const uint64_t* x, const uint64_t* w,
                                     uint32_t wmask, __m512i* acc) {
    const unsigned planes = a.blocks * kPlaneLanes;
    for (unsigned k = 0; k < a.blocks; ++k) acc[k] = _mm512_setzero_si512();
    for (unsigned j = 0; j < s.bit_count; ++j) {
        const unsigned bit = s.bit_lo + j;
        if (!((wmask >> bit) & 1u)) continue;
        const uint64_t* wp = w + bit * a.words;
        const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(j));
        for (size_t wd = 0; wd < a.words; ++wd) {
            const __m512i wv = _mm512_set1_epi64(static_cast<long long>(wp[wd]));
            const uint64_t* xrow = x + wd * planes;
            for (unsigned k = 0; k < a.blocks; ++k) {
                const __m512i counts = _mm512_popcnt_epi64(_mm512_and_si512(_mm512_loadu_si512(xrow + k * kPlaneLanes), wv));
                acc[k] = _mm512_add_epi64(acc[k], _mm512_sll_epi64(counts, shift));
            }
        }
    }
}

// The sums of one signal in one plane block, with the word count known at compile
// time for the common row groups (64 and 128 rows: the loop unrolls), 0 = run time.
template <size_t kWords>
BITCIM_KERNEL_INLINE __m512i block_sums(const RowArgs& a, const Signal& s, const uint64_t* x, const uint64_t* w,
                                        uint32_t wmask) {
    const size_t words = kWords ? kWords : a.words;
    __m512i acc = _mm512_setzero_si512();
    for (unsigned j = 0; j < s.bit_count; ++j) {
        const unsigned bit = s.bit_lo + j;
        if (!((wmask >> bit) & 1u)) continue;
        const uint64_t* wp = w + bit * words;
        __m512i counts = _mm512_setzero_si512();
        for (size_t wd = 0; wd < words; ++wd)
            counts = _mm512_add_epi64(counts, _mm512_popcnt_epi64(_mm512_and_si512(
                                                  _mm512_loadu_si512(x + wd * kPlaneLanes),
                                                  _mm512_set1_epi64(static_cast<long long>(wp[wd])))));
        acc = _mm512_add_epi64(acc, _mm512_sll_epi64(counts, _mm_cvtsi32_si128(static_cast<int>(j))));
    }
    return acc;
}

// With a 1-bit DAC and one plane block the lanes are the chunks: each signal's clipped
// codes (or excess), shifted and signed, add up lane by lane; one reduction per row.
template <size_t kWords>
int64_t clip_row_lanes(const RowArgs& a, const RowWeights& w, uint64_t* saturations) {
    __m512i row = _mm512_setzero_si512();
    uint64_t clipped[kMaxSignals] = {};  // local: no stores through the caller's pointer in the loop
    for_each_signal(a, w, [&](const uint64_t* x, uint32_t, const uint64_t* wp, uint32_t wmask, unsigned si) {
        const Signal& s = a.signals[si];
        const __m512i sums = block_sums<kWords>(a, s, x, wp, wmask);
        const __m512i top = _mm512_set1_epi64(static_cast<long long>(s.max_code));
        const __m512i code = _mm512_min_epu64(sums, top);
        clipped[si] += static_cast<uint64_t>(__builtin_popcount(_mm512_cmpgt_epu64_mask(sums, top)));
        const __m512i part = _mm512_sll_epi64(a.full ? code : _mm512_sub_epi64(sums, code),
                                              _mm_cvtsi32_si128(static_cast<int>(s.out_shift)));
        row = s.negative == a.full ? _mm512_sub_epi64(row, part) : _mm512_add_epi64(row, part);
    });
    for (unsigned k = 0; k < a.signal_count; ++k) saturations[k] += clipped[k];
    const __m512i lane_shift = _mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm512_reduce_add_epi64(_mm512_sllv_epi64(row, lane_shift));
}

int64_t clip_row_avx512(const RowArgs& a, const RowWeights& w, uint64_t* saturations) {
    if (a.dac_bits == 1 && a.blocks == 1) {
        if (a.words == 1) return clip_row_lanes<1>(a, w, saturations);
        if (a.words == 2) return clip_row_lanes<2>(a, w, saturations);
        return clip_row_lanes<0>(a, w, saturations);
    }
    const unsigned planes = a.blocks * kPlaneLanes;
    uint64_t value = 0;
    for_each_signal(a, w, [&](const uint64_t* x, uint32_t, const uint64_t* wp, uint32_t wmask, unsigned si) {
        __m512i acc[kMaxPlanes / kPlaneLanes];
        plane_sums(a, a.signals[si], x, wp, wmask, acc);
        alignas(64) uint64_t sums[kMaxPlanes];
        for (unsigned k = 0; k < a.blocks; ++k) _mm512_store_si512(sums + k * kPlaneLanes, acc[k]);
        value += clip_tail(a.signals[si], sums, planes, a, saturations[si]);
    });
    return static_cast<int64_t>(value);
}

// One quad of inputs, broadcast, against a row block's 64 bytes of halves: VPDPBUSD
// adds each row's four products to its own int32 lane; the odd weights' inputs (the odd
// bits as a byte mask) are added the same way against ones. Two sets of accumulators
// take alternate quads (two dependency chains). A quad adds at most
// 2 * 4 * 255 * 128 + 4 * 255 to a lane of 2 dot + odd: lanes are widened to int64 every
// kFlushQuads quads.
constexpr size_t kFlushQuads = 4096;

BITCIM_KERNEL_INLINE __m512i quad_of(const uint8_t* x) {
    uint32_t v;
    __builtin_memcpy(&v, x, sizeof v);
    return _mm512_set1_epi32(static_cast<int>(v));
}

void gemv_half_avx512(const HalfGemvArgs& a, int64_t* y) {
    const __m512i ones = _mm512_set1_epi8(1);
    const size_t quads = a.quads;
    const uint8_t* x = a.x;
    for (size_t rb = 0; rb * kGemvRows < a.rows; ++rb) {
        const int8_t* half = a.half + rb * quads * 64;
        const uint64_t* odd = a.odd + rb * quads;
        __m512i lo = _mm512_setzero_si512(), hi = _mm512_setzero_si512();  // int64: rows 0-7, 8-15
        for (size_t q0 = 0; q0 < quads; q0 += kFlushQuads) {
            const size_t q1 = quads - q0 < kFlushQuads ? quads : q0 + kFlushQuads;
            __m512i dot[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
            __m512i sel[2] = {_mm512_setzero_si512(), _mm512_setzero_si512()};
            size_t q = q0;
            for (; q + 2 <= q1; q += 2)
                for (size_t u = 0; u < 2; ++u) {
                    const __m512i xq = quad_of(x + (q + u) * kGemvQuad);
                    dot[u] = _mm512_dpbusd_epi32(dot[u], xq, _mm512_loadu_si512(half + (q + u) * 64));
                    sel[u] = _mm512_dpbusd_epi32(sel[u], _mm512_maskz_mov_epi8(odd[q + u], xq), ones);
                }
            if (q < q1) {
                const __m512i xq = quad_of(x + q * kGemvQuad);
                dot[0] = _mm512_dpbusd_epi32(dot[0], xq, _mm512_loadu_si512(half + q * 64));
                sel[0] = _mm512_dpbusd_epi32(sel[0], _mm512_maskz_mov_epi8(odd[q], xq), ones);
            }
            const __m512i rows = _mm512_add_epi32(_mm512_slli_epi32(_mm512_add_epi32(dot[0], dot[1]), 1),
                                                  _mm512_add_epi32(sel[0], sel[1]));
            lo = _mm512_add_epi64(lo, _mm512_cvtepi32_epi64(_mm512_castsi512_si256(rows)));
            hi = _mm512_add_epi64(hi, _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(rows, 1)));
        }
        const size_t valid = rows_in_block(a, rb);
        const __mmask8 lo_rows = valid >= 8 ? 0xFF : static_cast<__mmask8>((1u << valid) - 1);
        const __mmask8 hi_rows = valid >= 16 ? 0xFF : valid <= 8 ? 0 : static_cast<__mmask8>((1u << (valid - 8)) - 1);
        int64_t* out = y + rb * kGemvRows;
        _mm512_mask_storeu_epi64(out, lo_rows, _mm512_add_epi64(_mm512_maskz_loadu_epi64(lo_rows, out), lo));
        _mm512_mask_storeu_epi64(out + 8, hi_rows, _mm512_add_epi64(_mm512_maskz_loadu_epi64(hi_rows, out + 8), hi));
    }
}

void cell_reads_avx512(const uint32_t* levels, const uint32_t* cells, size_t inputs, unsigned values, uint64_t* reads) {
    cell_reads_loop(levels, cells, inputs, values, reads);
}

}  // namespace

const Ops& avx512_ops() {
    static const Ops o{transpose_avx512, clip_row_avx512, gemv_half_avx512, cell_reads_avx512};
    return o;
}

}  // namespace bitcim::core::kernel

#pragma GCC diagnostic pop
#pragma GCC pop_options

// The AVX2 kernel path: four 64-bit input planes per register, popcount by nibble
// lookup (vpshufb) summed per word (vpsadbw). Compiled for AVX2 by a target pragma
// around this file's own code only, so that no inline function of a shared header
// is emitted with AVX2 instructions (the linker could pick that copy for every caller).
#include <immintrin.h>

#include "core/bit_kernel.h"

#pragma GCC push_options
#pragma GCC target("avx2,popcnt")

#include "core/bit_kernel_common.h"

namespace bitcim::core::kernel {

namespace {

constexpr unsigned kQwordsPerReg = 4;
constexpr unsigned kRegsPerBlock = kPlaneLanes / kQwordsPerReg;

BITCIM_KERNEL_INLINE __m256i popcount64(__m256i v) {
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1, 2, 1, 2, 2, 3, 1, 2,
                                         2, 3, 2, 3, 3, 4);
    const __m256i low_nibbles = _mm256_set1_epi8(0x0F);
    const __m256i lo = _mm256_and_si256(v, low_nibbles);
    const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibbles);
    const __m256i bytes = _mm256_add_epi8(_mm256_shuffle_epi8(lut, lo), _mm256_shuffle_epi8(lut, hi));
    return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

uint32_t transpose_avx2(const uint32_t* x, size_t count, size_t words, unsigned blocks, uint64_t* out) {
    return transpose_bytes(x, count, words, blocks, out, [](const uint8_t* bytes, unsigned b) {
        // Shifting 16-bit lanes left by 7 - b brings each byte's bit b to its top bit.
        const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(7 - b));
        const __m256i lo = _mm256_sll_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(bytes)), shift);
        const __m256i hi = _mm256_sll_epi16(_mm256_load_si256(reinterpret_cast<const __m256i*>(bytes + 32)), shift);
        return uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(lo))} |
               uint64_t{static_cast<uint32_t>(_mm256_movemask_epi8(hi))} << 32;
    });
}

int64_t clip_row_avx2(const RowArgs& a, const RowWeights& w, uint64_t* saturations) {
    const unsigned regs = a.blocks * kRegsPerBlock;
    const unsigned planes = a.blocks * kPlaneLanes;
    uint64_t value = 0;
    for_each_signal(a, w, [&](const uint64_t* x, uint32_t, const uint64_t* wplanes, uint32_t wmask, unsigned si) {
        const Signal& s = a.signals[si];
        __m256i acc[kMaxPlanes / kQwordsPerReg];
        for (unsigned k = 0; k < regs; ++k) acc[k] = _mm256_setzero_si256();
        for (unsigned j = 0; j < s.bit_count; ++j) {
            const unsigned bit = s.bit_lo + j;
            if (!((wmask >> bit) & 1u)) continue;
            const uint64_t* wp = wplanes + bit * a.words;
            const __m128i shift = _mm_cvtsi32_si128(static_cast<int>(j));
            for (size_t wd = 0; wd < a.words; ++wd) {
                const __m256i wv = _mm256_set1_epi64x(static_cast<long long>(wp[wd]));
                const __m256i* xrow = reinterpret_cast<const __m256i*>(x + wd * planes);
                for (unsigned k = 0; k < regs; ++k) {
                    const __m256i counts = popcount64(_mm256_and_si256(_mm256_loadu_si256(xrow + k), wv));
                    acc[k] = _mm256_add_epi64(acc[k], _mm256_sll_epi64(counts, shift));
                }
            }
        }
        alignas(32) uint64_t sums[kMaxPlanes];
        for (unsigned k = 0; k < regs; ++k) _mm256_store_si256(reinterpret_cast<__m256i*>(sums) + k, acc[k]);
        value += clip_tail(s, sums, planes, a, saturations[si]);
    });
    return static_cast<int64_t>(value);
}

void gemv_half_avx2(const HalfGemvArgs& a, int64_t* y) { gemv_half_loop(a, y); }

void cell_reads_avx2(const uint32_t* levels, const uint32_t* cells, size_t inputs, unsigned values, uint64_t* reads) {
    cell_reads_loop(levels, cells, inputs, values, reads);
}

}  // namespace

const Ops& avx2_ops() {
    static const Ops o{transpose_avx2, clip_row_avx2, gemv_half_avx2, cell_reads_avx2};
    return o;
}

}  // namespace bitcim::core::kernel

#pragma GCC pop_options

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

// Sixteen (row, input) lanes of a quad at a time as int16: the halves sign-extended, the odd
// bits spread into 0 / -1 lanes by a broadcast, AND and compare; VPMADDWD with the quad's
// inputs (twice, for 2 h) gives per row two int32 pair sums. A quad adds at most
// 2 * 255 * (2 * 128 + 1) to a lane: lanes are widened every kFlushQuads quads.
constexpr size_t kFlushQuads = 4096;

BITCIM_KERNEL_INLINE __m256i widen_add(__m256i acc64, __m128i v32) {
    return _mm256_add_epi64(acc64, _mm256_cvtepi32_epi64(v32));
}

void gemv_half_avx2(const HalfGemvArgs& a, int64_t* y) {
    constexpr size_t kLanes = kGemvRows * kGemvQuad;
    const __m256i select = _mm256_setr_epi16(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384,
                                             static_cast<short>(0x8000));
    for (size_t rb = 0; rb * kGemvRows < a.rows; ++rb) {
        const int8_t* half = a.half + rb * a.quads * kLanes;
        const uint16_t* odd = reinterpret_cast<const uint16_t*>(a.odd + rb * a.quads);
        __m256i sums[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(),
                           _mm256_setzero_si256()};  // int64, rows 0-3, 4-7, 8-11, 12-15
        for (size_t q0 = 0; q0 < a.quads; q0 += kFlushQuads) {
            const size_t q1 = a.quads - q0 < kFlushQuads ? a.quads : q0 + kFlushQuads;
            __m256i dot[4], sel[4];  // int32 pair sums: 2 H x and -O x
            for (unsigned i = 0; i < 4; ++i) dot[i] = sel[i] = _mm256_setzero_si256();
            for (size_t q = q0; q < q1; ++q) {
                uint32_t quad;
                __builtin_memcpy(&quad, a.x + q * kGemvQuad, sizeof quad);
                const __m256i x = _mm256_broadcastq_epi64(_mm_cvtepu8_epi16(_mm_cvtsi32_si128(static_cast<int>(quad))));
                const __m256i x2 = _mm256_add_epi16(x, x);
                for (unsigned i = 0; i < 4; ++i) {
                    const __m256i h = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(half + q * kLanes + 16 * i)));
                    const __m256i o = _mm256_cmpeq_epi16(
                        _mm256_and_si256(_mm256_set1_epi16(static_cast<short>(odd[q * 4 + i])), select), select);
                    dot[i] = _mm256_add_epi32(dot[i], _mm256_madd_epi16(h, x2));
                    sel[i] = _mm256_add_epi32(sel[i], _mm256_madd_epi16(o, x));
                }
            }
            for (unsigned i = 0; i < 4; ++i) {
                // Lanes (row, pair): add each row's two pairs, then widen the four rows.
                const __m256i pairs = _mm256_sub_epi32(dot[i], sel[i]);
                const __m256i rows = _mm256_hadd_epi32(pairs, pairs);  // per 128-bit half: r0 r1 r0 r1
                const __m128i four = _mm_unpacklo_epi64(_mm256_castsi256_si128(rows), _mm256_extracti128_si256(rows, 1));
                sums[i] = widen_add(sums[i], four);
            }
        }
        alignas(32) int64_t out[kGemvRows];
        for (unsigned i = 0; i < 4; ++i) _mm256_store_si256(reinterpret_cast<__m256i*>(out + 4 * i), sums[i]);
        for (size_t r = 0; r < rows_in_block(a, rb); ++r) y[rb * kGemvRows + r] += out[r];
    }
}

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

// The portable kernel path: plain C++ with the popcount builtin. The reference the
// SIMD paths are held to, and the path on CPUs without AVX2.
#include "core/bit_kernel_common.h"

namespace bitcim::core::kernel {

namespace {

uint32_t transpose_scalar(const uint32_t* x, size_t count, size_t words, unsigned blocks, uint64_t* out) {
    return transpose_bytes(x, count, words, blocks, out, [](const uint8_t* bytes, unsigned b) {
        uint64_t word = 0;
        for (unsigned i = 0; i < 64; ++i) word |= uint64_t{(bytes[i] >> b) & 1u} << i;
        return word;
    });
}

// Per-plane sums of one signal over its non-zero weight planes and non-zero input planes.
void plane_sums(const RowArgs& a, const Signal& s, const uint64_t* x, uint32_t xmask, const uint64_t* w,
                uint32_t wmask, uint64_t* sums) {
    const unsigned stride = a.blocks * kPlaneLanes;
    for (unsigned j = 0; j < s.bit_count; ++j) {
        const unsigned bit = s.bit_lo + j;
        if (!((wmask >> bit) & 1u)) continue;
        const uint64_t* wp = w + bit * a.words;
        for (size_t wd = 0; wd < a.words; ++wd) {
            if (!wp[wd]) continue;
            const uint64_t* xrow = x + wd * stride;
            for (uint32_t m = xmask; m; m &= m - 1) {
                const unsigned b = static_cast<unsigned>(__builtin_ctz(m));
                sums[b] += static_cast<uint64_t>(__builtin_popcountll(xrow[b] & wp[wd])) << j;
            }
        }
    }
}

int64_t clip_row_scalar(const RowArgs& a, const RowWeights& w, uint64_t* saturations) {
    const unsigned planes = a.blocks * kPlaneLanes;
    uint64_t value = 0;
    for_each_signal(a, w, [&](const uint64_t* x, uint32_t xmask, const uint64_t* wp, uint32_t wmask, unsigned si) {
        uint64_t sums[kMaxPlanes] = {};
        plane_sums(a, a.signals[si], x, xmask, wp, wmask, sums);
        value += clip_tail(a.signals[si], sums, planes, a, saturations[si]);
    });
    return static_cast<int64_t>(value);
}

void gemv_half_scalar(const HalfGemvArgs& a, int64_t* y) { gemv_half_loop(a, y); }

void cell_reads_scalar(const uint32_t* levels, const uint32_t* cells, size_t inputs, unsigned values, uint64_t* reads) {
    cell_reads_loop(levels, cells, inputs, values, reads);
}

}  // namespace

const Ops& scalar_ops() {
    static const Ops o{transpose_scalar, clip_row_scalar, gemv_half_scalar, cell_reads_scalar};
    return o;
}

}  // namespace bitcim::core::kernel

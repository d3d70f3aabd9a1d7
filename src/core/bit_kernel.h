// The golden kernel's inner loops, one implementation per instruction set, picked
// at run time: AVX-512 (with VPOPCNTDQ and VNNI), AVX2, or portable C++. Every path computes
// the same integers; BitSlicedLayer (crossbar_layer.h) decides what to compute.
//
// Bitline sums are AND+popcount over bit-planes: input planes of one row group are
// stored transposed, [word][plane] with kPlaneLanes planes per block, so that one
// weight word ANDed with one vector of input planes gives every input bit's count at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace bitcim::core::kernel {

enum class Path { Scalar, Avx2, Avx512 };

/// Planes per block of the transposed input (one AVX-512 register of 64-bit words).
constexpr unsigned kPlaneLanes = 8;
/// Signals (column groups) of one plane set: up to 16 slices and the sign column.
constexpr unsigned kMaxSignals = 17;
/// Input planes at most (input_bits <= 16).
constexpr unsigned kMaxPlanes = 16;

/// "scalar", "avx2", "avx512".
const char* path_name(Path p);
/// Whether this CPU (and OS) runs the path.
bool path_supported(Path p);
/// Every path this CPU runs, fastest last.
std::vector<Path> supported_paths();
/// The path named `name`; InputError for an unknown name or one this CPU cannot run.
Path parse_path(const std::string& name);
/// The path in use: set_path's, else BITCIM_KERNEL's (checked by parse_path), else
/// the fastest supported. Throws InputError for a bad BITCIM_KERNEL.
Path active_path();
/// Forces a path for this process (tests, benchmarks); InputError if not supported.
void set_path(Path p);
/// Undoes set_path: back to BITCIM_KERNEL's or the fastest path.
void reset_path();

/// One column group of a plane set as the kernel sees it.
struct Signal {
    unsigned bit_lo = 0, bit_count = 0;
    uint64_t max_code = 0;  ///< the ADC's top code (clip mode)
    unsigned out_shift = 0;
    bool negative = false;
};

/// What one (plane set, output) row shares with the others: the transposed input
/// of every row group and the set's signals.
struct RowArgs {
    const uint64_t* x = nullptr;  ///< per group: [word][block * kPlaneLanes + plane]
    size_t words = 0;             ///< 64-bit words per row group
    size_t groups = 0;
    unsigned blocks = 1;          ///< plane blocks: ceil(input_bits / kPlaneLanes)
    const uint32_t* xmask = nullptr;  ///< per group: its non-zero input planes
    /// Per group: the signals this input could push past the top code (corrections),
    /// or every signal where the group's input is non-zero (full conversion).
    const uint32_t* group_signals = nullptr;
    unsigned dac_bits = 1;
    unsigned chunks = 1;
    const Signal* signals = nullptr;
    unsigned signal_count = 0;
    /// true: the row's value, every signal's +-sum_t min(sum_t, max_code) << (out_shift + d t);
    /// false: the correction, minus the same sum of max(sum_t - max_code, 0).
    bool full = true;
};

/// The weight planes of one (plane set, output) row: per group `n` planes of `words` words.
struct RowWeights {
    const uint64_t* planes = nullptr;
    size_t group_stride = 0;         ///< words from one group's planes to the next
    const uint32_t* wmask = nullptr;  ///< per group: non-zero weight planes
    const uint32_t* signals = nullptr;  ///< per group: the signals to convert (their planes non-zero, or can clip)
};

/// The linear part of clip mode, W x, without a weight copy as wide as the weights: a
/// differential 8-bit weight is -255..255, which no int8 holds. w = 2 h + o with
/// h = floor(w / 2) (int8) and o its odd bit, kept as one bit a weight, so that
/// W x = 2 H x + O x. Both are laid out for VNNI (VPDPBUSD): per block of kGemvRows rows
/// and quad of kGemvQuad inputs, 64 bytes h[row][input] at [row * 4 + input] and one
/// 64-bit word of odd bits in the same order; rows and inputs padded with zeros. A
/// broadcast quad of inputs then gives every row of the block its sum in its own lane:
/// no reduction across lanes.
constexpr size_t kGemvRows = 16;
constexpr size_t kGemvQuad = 4;

struct HalfGemvArgs {
    const int8_t* half = nullptr;    ///< [row block][quad][64]: floor(w / 2)
    const uint64_t* odd = nullptr;   ///< [row block][quad]: odd bits
    const uint8_t* x = nullptr;      ///< [quads * kGemvQuad]: the input, 8 bits, zero-padded
    size_t rows = 0;
    size_t quads = 0;                ///< ceil(inputs / kGemvQuad)
};

struct Ops {
    /// Transposes `count` inputs (each < 2^16) into planes [word][block * 8 + plane],
    /// `words` words (rows past `count` zero); returns the mask of non-zero planes.
    uint32_t (*transpose)(const uint32_t* x, size_t count, size_t words, unsigned blocks, uint64_t* out);
    /// One row in clip mode: returns its value (RowArgs::full) and adds each signal's
    /// clipped chunks to saturations[signal].
    int64_t (*clip_row)(const RowArgs& a, const RowWeights& w, uint64_t* saturations);
    /// y[r] += sum_c w[r][c] * x[c] (HalfGemvArgs), exact: int32 sums of at most 2^15
    /// products, int64 totals.
    void (*gemv_half)(const HalfGemvArgs& a, int64_t* y);
    /// reads[v] += sum_i levels[i] * cells[v * inputs + i] for v < values: the cell reads
    /// of each cell value, from each input's applied levels and its row's cells.
    void (*cell_reads)(const uint32_t* levels, const uint32_t* cells, size_t inputs, unsigned values, uint64_t* reads);
};

/// The operations of path `p`; active_ops(): of active_path().
const Ops& ops(Path p);
inline const Ops& active_ops() { return ops(active_path()); }

}  // namespace bitcim::core::kernel

// One MVM of the golden kernel: input packing, event counts and the three ways to
// convert (clip mode through the SIMD kernel, every sum converted, device faults).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/crossbar_layer.h"
#include "core/errors.h"

namespace bitcim::core {

namespace {

// The cost of one weight plane word through the kernel in MACs of the linear GEMV:
// a measured ratio (bench_golden, AVX-512 and AVX2) that picks the cheaper clip strategy.
constexpr uint64_t kGemvMacsPerPlaneWord = 24;

/// Sum of a value's digits in base 2^d: the levels a d-bit DAC applies over all chunks.
uint32_t digit_sum(uint32_t x, unsigned d) {
    if (d == 1) return static_cast<uint32_t>(__builtin_popcount(x));
    const uint32_t mask = static_cast<uint32_t>(low_mask(d));
    uint32_t sum = 0;
    for (; x; x >>= d) sum += x & mask;
    return sum;
}

}  // namespace

uint64_t BitSlicedLayer::packing_key() const {
    // Inputs and row-group size fix the groups and words; input bits and DAC the planes and
    // level sums; the GEMV width whether x8 is filled. Each field fits its bits (validate).
    return (uint64_t{m_inputs} << 32) ^ (uint64_t{m_cfg.parallel_rows} << 12) ^ (uint64_t{m_cfg.input_bits} << 6) ^
           (uint64_t{m_cfg.dac_bits} << 1) ^ uint64_t{!m_half8.empty()};
}

void BitSlicedLayer::pack_input(const uint32_t* x, size_t n, PackedInput& in) const {
    const HwConfig& c = m_cfg;
    if (n != m_inputs)
        throw InputError("input has " + std::to_string(n) + " values, the layer has " +
                         std::to_string(m_inputs) + " inputs");
    const uint32_t top = static_cast<uint32_t>(c.input_max());
    if (*std::max_element(x, x + n) > top) {
        const size_t i = static_cast<size_t>(std::find_if(x, x + n, [&](uint32_t v) { return v > top; }) - x);
        throw InputError("input value " + std::to_string(x[i]) + " at position " + std::to_string(i + 1) +
                         " does not fit in " + std::to_string(c.input_bits) + " bits");
    }
    const kernel::Ops& ops = kernel::active_ops();
    const unsigned stride = m_plane_blocks * kernel::kPlaneLanes;
    const unsigned chunks = c.num_input_chunks();
    in.packing = packing_key();
    in.planes.resize(m_groups * m_words * stride);
    in.nonzero.resize(m_groups);
    in.level_sum.assign(chunks * m_groups, 0);
    for (size_t g = 0; g < m_groups; ++g) {
        const size_t lo = g * c.parallel_rows;
        const size_t rows = std::min<size_t>(c.parallel_rows, m_inputs - lo);
        uint64_t* planes = &in.planes[g * m_words * stride];
        in.nonzero[g] = ops.transpose(&x[lo], rows, m_words, m_plane_blocks, planes);
        for (uint32_t m = in.nonzero[g]; m; m &= m - 1) {
            const unsigned b = static_cast<unsigned>(__builtin_ctz(m));
            uint64_t count = 0;
            for (size_t w = 0; w < m_words; ++w) count += static_cast<uint64_t>(__builtin_popcountll(planes[w * stride + b]));
            in.level_sum[(b / c.dac_bits) * m_groups + g] += count << (b % c.dac_bits);
        }
    }
    in.levels.resize(m_inputs);
    for (size_t i = 0; i < m_inputs; ++i) in.levels[i] = digit_sum(x[i], c.dac_bits);
    if (!m_half8.empty()) {  // each input checked to fit input_bits <= 8; zeros pad the last quad
        in.x8.assign(m_quads * kernel::kGemvQuad, 0);
        std::copy(x, x + n, in.x8.begin());
    }
}

void BitSlicedLayer::add_cell_reads(const uint32_t* level_sums, MvmCounters& counters) const {
    if (counters.adc_conversions.size() != m_cfg.num_adc_groups()) counters.add(make_counters());
    kernel::active_ops().cell_reads(level_sums, m_row_cells.data(), m_inputs, 1u << m_cfg.cell_bits,
                                    counters.cell_reads.data());
}

// Events that do not depend on the ADC codes: every conversion happens whatever
// its value, and every driven cell is read (its input's levels summed over chunks).
void BitSlicedLayer::count_events(const InputPlanes& in, MvmCounters& counters, bool cell_reads) const {
    const HwConfig& c = m_cfg;
    const unsigned chunks = c.num_input_chunks();
    if (cell_reads) add_cell_reads(in.levels.data(), counters);
    const uint64_t per_signal = uint64_t{chunks} * m_groups * m_outputs;
    for (const ColumnGroup& s : m_mapping.column_groups) {
        counters.adc_conversions[s.adc_group] += per_signal;
        counters.shift_adds += per_signal;
    }
    counters.crossbar_reads += uint64_t{chunks} * m_mapping.reads_per_chunk;
}

uint64_t BitSlicedLayer::signal_sum(const ColumnGroup& s, size_t out, size_t g, unsigned t, const InputPlanes& in) const {
    const unsigned a = m_cfg.input_bits;
    const unsigned d = m_cfg.dac_bits;
    const unsigned stride = m_plane_blocks * kernel::kPlaneLanes;
    const uint64_t* xg = &in.planes[g * m_words * stride];
    uint64_t sum = 0;
    for (unsigned e = 0; e < d; ++e) {
        const unsigned b = d * t + e;
        if (b >= a || !((in.nonzero[g] >> b) & 1u)) continue;
        for (unsigned j = 0; j < s.bit_count; ++j) {
            const uint64_t* wp = &m_planes[plane_index(s.plane_set, out, g, s.bit_lo + j)];
            uint64_t pc = 0;
            for (size_t w = 0; w < m_words; ++w) pc += static_cast<uint64_t>(__builtin_popcountll(xg[w * stride + b] & wp[w]));
            sum += pc << (e + j);
        }
    }
    return sum;
}

std::vector<int64_t> BitSlicedLayer::run(const std::vector<uint32_t>& x, MvmCounters& counters,
                                         uint64_t epoch) const {
    thread_local PackedInput in;  // sized once per thread and shape; never shared
    pack_input(x.data(), x.size(), in);
    std::vector<int64_t> y;
    run_packed(x.data(), in, counters, epoch, y);
    return y;
}

void BitSlicedLayer::run_packed(const uint32_t* x, const PackedInput& in, MvmCounters& counters, uint64_t epoch,
                                std::vector<int64_t>& y) const {
    y.assign(m_outputs, 0);
    run_packed_add(x, in, counters, epoch, y.data());
}

void BitSlicedLayer::run_packed_add(const uint32_t* x, const PackedInput& in, MvmCounters& counters, uint64_t epoch,
                                    int64_t* y, bool cell_reads) const {
    if (in.packing != packing_key()) throw std::logic_error("run_packed: an input packed for another layer shape");
    const kernel::Ops& ops = kernel::active_ops();
    if (counters.adc_conversions.size() != m_cfg.num_adc_groups()) counters.add(make_counters());
    if (!counters.adc_codes.empty() && counters.adc_codes.size() != m_cfg.num_adc_groups())
        throw InputError("ADC code histograms sized for another layer");
    for (size_t g = 0; g < counters.adc_codes.size(); ++g)  // codes of the run-time resolution must fit
        counters.adc_codes[g].resize(std::max(counters.adc_codes[g].size(), size_t{1} << m_cfg.adc_bits[g]), 0);
    count_events(in, counters, cell_reads);
    if (!m_conductance.empty()) {
        run_faulty(x, y, counters, epoch);
    } else if (m_cfg.adc_mode == AdcMode::Clip && counters.adc_codes.empty()) {
        run_clip(x, in, ops, y, counters);
    } else {
        run_every(in, y, counters);
    }
}

bool BitSlicedLayer::risky(size_t si, size_t g, const InputPlanes& in) const {
    const uint64_t max_code = m_adc[si].max_code();
    const uint64_t max_cell = low_mask(m_mapping.column_groups[si].bit_count);
    for (unsigned t = 0; t < m_cfg.num_input_chunks(); ++t)
        if (in.level_sum[t * m_groups + g] * max_cell > max_code) return true;
    return false;
}

bool BitSlicedLayer::correct_linear(const InputPlanes& in) const {
    uint64_t correction_words = 0;
    for (size_t si = 0; si < m_mapping.column_groups.size(); ++si)
        for (size_t g = 0; g < m_groups; ++g)
            if (m_risky_words[si * m_groups + g] && risky(si, g, in)) correction_words += m_risky_words[si * m_groups + g];
    const uint64_t linear_macs = uint64_t{m_outputs} * m_inputs;
    return linear_macs + correction_words * kGemvMacsPerPlaneWord < m_nz_plane_words * kGemvMacsPerPlaneWord;
}

void BitSlicedLayer::linear(const uint32_t* x, const InputPlanes& in, const kernel::Ops& ops, int64_t* y) const {
    if (!m_half8.empty()) {
        kernel::HalfGemvArgs a;
        a.half = m_half8.data();
        a.odd = m_odd.data();
        a.x = in.x8.data();
        a.rows = m_outputs;
        a.quads = m_quads;
        ops.gemv_half(a, y);
        return;
    }
    for (size_t out = 0; out < m_outputs; ++out) {  // wide weights or inputs: w = 2 h + odd bit
        const int16_t* half = &m_half16[out * m_inputs];
        int64_t acc = 0;
        for (size_t i = 0; i < m_inputs; ++i) {
            const int64_t odd = static_cast<int64_t>((m_odd[vnni_word(out, i)] >> vnni_bit(out, i)) & 1u);
            acc += (2 * int64_t{half[i]} + odd) * x[i];
        }
        y[out] += acc;
    }
}

// Clip mode: a code equals its sum until the sum passes the top code. Either every
// non-zero signal is converted through the kernel (full), or y starts as W·x and only
// the sums that could exceed the top code are looked at, for their excess.
void BitSlicedLayer::run_clip(const uint32_t* x, const InputPlanes& in, const kernel::Ops& ops,
                              int64_t* y, MvmCounters& counters) const {
    const bool full = !correct_linear(in);
    if (!full) linear(x, in, ops, y);
    thread_local std::vector<uint32_t> group_signals;  // reused: no allocation per MVM
    group_signals.resize(m_groups);
    kernel::RowArgs args;
    args.x = in.planes.data();
    args.words = m_words;
    args.groups = m_groups;
    args.blocks = m_plane_blocks;
    args.xmask = in.nonzero.data();
    args.group_signals = group_signals.data();
    args.dac_bits = m_cfg.dac_bits;
    args.chunks = m_cfg.num_input_chunks();
    args.full = full;
    for (unsigned set = 0; set < m_plane_sets; ++set) {
        const PlaneSet& ps = m_sets[set];
        args.signals = ps.signals.data();
        args.signal_count = static_cast<unsigned>(ps.signals.size());
        bool any = false;
        for (size_t g = 0; g < m_groups; ++g) {
            group_signals[g] = full ? (in.nonzero[g] ? ~uint32_t{0} : 0) : risky_signals(set, g, in);
            any = any || group_signals[g];
        }
        if (any) clip_rows(set, args, ops, y, counters);
    }
}

uint32_t BitSlicedLayer::risky_signals(unsigned set, size_t g, const InputPlanes& in) const {
    const PlaneSet& ps = m_sets[set];
    uint32_t mask = 0;
    for (size_t k = 0; k < ps.signals.size(); ++k)
        if (m_risky_words[ps.column_group[k] * m_groups + g] && risky(ps.column_group[k], g, in)) mask |= 1u << k;
    return mask;
}

void BitSlicedLayer::clip_rows(unsigned set, const kernel::RowArgs& args, const kernel::Ops& ops,
                               int64_t* y, MvmCounters& counters) const {
    const PlaneSet& ps = m_sets[set];
    const std::vector<uint32_t>& signals = args.full ? m_nz_signals : m_clip_signals;
    uint64_t saturations[kernel::kMaxSignals] = {};
    kernel::RowWeights w;
    w.group_stride = size_t{m_cfg.weight_bits} * m_words;
    for (size_t out = 0; out < m_outputs; ++out) {
        w.planes = &m_planes[plane_index(set, out, 0, 0)];
        w.wmask = &m_wmask[block_index(set, out, 0)];
        w.signals = &signals[block_index(set, out, 0)];
        y[out] += ops.clip_row(args, w, saturations);
    }
    for (size_t k = 0; k < ps.signals.size(); ++k)
        counters.adc_saturations[m_mapping.column_groups[ps.column_group[k]].adc_group] += saturations[k];
}

void BitSlicedLayer::run_every(const InputPlanes& in, int64_t* y, MvmCounters& counters) const {
    const unsigned d = m_cfg.dac_bits;
    const unsigned chunks = m_cfg.num_input_chunks();
    for (size_t si = 0; si < m_mapping.column_groups.size(); ++si) {
        const ColumnGroup& s = m_mapping.column_groups[si];
        const AdcTransfer& adc = m_adc[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g) {
                // No non-zero weight plane under the signal: every code is 0.
                if (!((m_nz_signals[block_index(s.plane_set, out, g)] >> m_index_in_set[si]) & 1u)) {
                    count_code(counters, s.adc_group, 0, chunks);
                    continue;
                }
                for (unsigned t = 0; t < chunks; ++t) {
                    bool saturated = false;
                    const uint32_t code = adc.convert(signal_sum(s, out, g, t, in), &saturated);
                    counters.adc_saturations[s.adc_group] += saturated;
                    count_code(counters, s.adc_group, code);
                    const int64_t value = static_cast<int64_t>(adc.value(code)) << (s.out_shift + d * t);
                    y[out] += s.negative ? -value : value;
                }
            }
    }
}

void BitSlicedLayer::run_faulty(const uint32_t* x, int64_t* y, MvmCounters& counters,
                                uint64_t epoch) const {
    const HwConfig& c = m_cfg;
    const unsigned d = c.dac_bits;
    const unsigned chunks = c.num_input_chunks();
    const uint32_t level_mask = static_cast<uint32_t>(low_mask(d));
    const size_t first_group = m_site.first_input / c.parallel_rows;
    const FaultDraws draws(c.faults, m_site.layer);
    // The driven rows of each (row group, chunk) with their input levels.
    std::vector<std::vector<std::pair<uint32_t, uint32_t>>> driven(m_groups * chunks);
    for (size_t i = 0; i < m_inputs; ++i)
        for (unsigned t = 0; t < chunks; ++t)
            if (const uint32_t level = (x[i] >> (d * t)) & level_mask)
                driven[(i / c.parallel_rows) * chunks + t].emplace_back(static_cast<uint32_t>(i), level);
    // Every output's bitline at once, row by row in the same order for each output.
    std::vector<double> bitlines(m_outputs);
    for (size_t si = 0; si < m_mapping.column_groups.size(); ++si) {
        const ColumnGroup& s = m_mapping.column_groups[si];
        const AdcTransfer& adc = m_adc[si];
        const double lsb = std::ldexp(1.0, static_cast<int>(adc.lsb_shift()));
        for (size_t g = 0; g < m_groups; ++g)
            for (unsigned t = 0; t < chunks; ++t) {
                std::fill(bitlines.begin(), bitlines.end(), 0.0);
                for (const auto& [row, level] : driven[g * chunks + t]) {
                    const float* grow = &m_conductance[(si * m_inputs + row) * m_outputs];
                    const double l = level;
                    for (size_t out = 0; out < m_outputs; ++out) bitlines[out] += double{grow[out]} * l;
                }
                for (size_t out = 0; out < m_outputs; ++out) {
                    const double bitline = bitlines[out];
                    const double error = m_adc_offset[(si * m_outputs + out) * m_groups + g] +
                                         draws.adc_noise_lsb(static_cast<unsigned>(si), m_site.first_output + out,
                                                             first_group + g, t, epoch);
                    bool saturated = false;
                    const uint32_t code = adc.convert_analog(bitline + error * lsb, &saturated);
                    counters.adc_saturations[s.adc_group] += saturated;
                    count_code(counters, s.adc_group, code);
                    const int64_t value = static_cast<int64_t>(adc.value(code)) << (s.out_shift + d * t);
                    y[out] += s.negative ? -value : value;
                }
            }
    }
}


}  // namespace bitcim::core

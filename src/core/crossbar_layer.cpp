#include "core/crossbar_layer.h"

#include <algorithm>
#include <cmath>
#include <iterator>

#include "core/errors.h"
#include "core/number_format.h"
#include "core/technology.h"

namespace bitcim::core {

namespace {

constexpr unsigned kWordBits = 64;
// With at most 8-bit weights and inputs, half a weight is an int8 and an input a byte:
// the linear part of clip mode then runs as an 8-bit GEMV (kernel::Ops::gemv_half).
constexpr unsigned kNarrowBits = 8;

}  // namespace

AdcTransfer adc_transfer(const HwConfig& c, unsigned group, unsigned bit_count) {
    const unsigned bits = c.adc_bits[group];
    if (c.adc_mode == AdcMode::Clip) return AdcTransfer::clip(bits);
    const uint64_t full_scale = c.adc_full_scale.empty()
                                    ? c.parallel_rows * low_mask(c.dac_bits) * low_mask(bit_count)
                                    : c.adc_full_scale[group];
    return AdcTransfer::scaled(bits, full_scale);
}

void MvmCounters::add(const MvmCounters& o) {
    auto add_vec = [](std::vector<uint64_t>& a, const std::vector<uint64_t>& b) {
        if (a.size() < b.size()) a.resize(b.size(), 0);
        for (size_t i = 0; i < b.size(); ++i) a[i] += b[i];
    };
    add_vec(adc_conversions, o.adc_conversions);
    add_vec(adc_saturations, o.adc_saturations);
    add_vec(cell_reads, o.cell_reads);
    if (adc_codes.size() < o.adc_codes.size()) adc_codes.resize(o.adc_codes.size());
    for (size_t g = 0; g < o.adc_codes.size(); ++g) add_vec(adc_codes[g], o.adc_codes[g]);
    shift_adds += o.shift_adds;
    crossbar_reads += o.crossbar_reads;
}

BitSlicedLayer::BitSlicedLayer(const HwConfig& cfg, const IntMatrix& weights, const std::string& source,
                               const FaultSite& site)
    : m_cfg(cfg), m_inputs(weights.cols), m_outputs(weights.rows), m_site(site) {
    m_mapping = plan_mapping(m_cfg, m_inputs, m_outputs);  // validates the configuration
    if (m_inputs == 0 || m_outputs == 0) throw InputError(source + ": weight matrix is empty");
    m_groups = m_mapping.row_groups;
    m_words = ceil_div(m_cfg.parallel_rows, kWordBits);
    m_plane_sets = m_cfg.sign == SignMode::Differential ? 2 : 1;
    for (const ColumnGroup& g : m_mapping.column_groups) m_adc.push_back(adc_transfer(m_cfg, g.adc_group, g.bit_count));
    pack(weights, source);
    build_saturation_bounds();
    if (m_cfg.faults.active()) {
        if (m_site.first_input % m_cfg.parallel_rows != 0)
            throw InputError(source + ": a block placed at input " + std::to_string(m_site.first_input) +
                             " splits a row group of " + std::to_string(m_cfg.parallel_rows));
        build_faults(weights);
    }
}

void BitSlicedLayer::pack(const IntMatrix& w, const std::string& source) {
    const HwConfig& c = m_cfg;
    const unsigned n = c.weight_bits;
    const unsigned slices = c.num_slices();
    const unsigned values = 1u << c.cell_bits;
    m_planes.assign(plane_index(m_plane_sets, 0, 0, 0), 0);
    m_row_cells.assign(m_inputs * values, 0);
    m_cells_by_value.assign(values, 0);
    // One copy of half the weights for the linear part of clip mode: int8 when 8-bit
    // weights and inputs allow the narrow GEMV, else int16 (D-097).
    const bool narrow = c.weight_bits <= kNarrowBits && c.input_bits <= kNarrowBits;
    m_quads = ceil_div(m_inputs, kernel::kGemvQuad);
    const size_t row_blocks = ceil_div(m_outputs, kernel::kGemvRows);
    if (narrow) {
        m_half8.assign(row_blocks * m_quads * 64, 0);
    } else {
        m_half16.assign(m_outputs * m_inputs, 0);
    }
    m_odd.assign(row_blocks * m_quads, 0);
    const int64_t lo = c.weight_min();
    const int64_t hi = c.weight_max();
    for (size_t out = 0; out < m_outputs; ++out) {
        for (size_t in = 0; in < m_inputs; ++in) {
            const int64_t v = w.at(out, in);
            if (v < lo || v > hi)
                throw InputError(source + ": weight " + std::to_string(v) + " at row " +
                                 std::to_string(out + 1) + ", column " + std::to_string(in + 1) +
                                 " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
            const int64_t half = (v - (v & 1)) / 2;  // floor(v / 2): -255..255 -> -128..127
            if (narrow) {
                m_half8[vnni_byte(out, in)] = static_cast<int8_t>(half);
            } else {
                m_half16[out * m_inputs + in] = static_cast<int16_t>(half);
            }
            m_odd[vnni_word(out, in)] |= uint64_t(v & 1) << vnni_bit(out, in);
            // Stored patterns per plane set, and the cells they occupy.
            const uint64_t pattern[2] = {stored_pattern(v, 0, c), stored_pattern(v, 1, c)};
            for (unsigned set = 0; set < m_plane_sets; ++set)
                for (unsigned k = 0; k < slices; ++k) ++m_row_cells[row_cell(in, slice_of(pattern[set], k, c.cell_bits))];
            if (c.sign == SignMode::Twos) ++m_row_cells[row_cell(in, (pattern[0] >> (n - 1)) & 1u)];

            const size_t group = in / c.parallel_rows;
            const size_t bit_in_group = in % c.parallel_rows;
            for (unsigned set = 0; set < m_plane_sets; ++set) {
                if (!pattern[set]) continue;
                for (unsigned b = 0; b < n; ++b)
                    if ((pattern[set] >> b) & 1u)
                        m_planes[plane_index(set, out, group, b) + bit_in_group / kWordBits] |=
                            uint64_t{1} << (bit_in_group % kWordBits);
            }
        }
    }
    for (size_t in = 0; in < m_inputs; ++in)
        for (unsigned v = 0; v < values; ++v) m_cells_by_value[v] += m_row_cells[row_cell(in, v)];
}

MvmCounters make_counters(const HwConfig& cfg, bool adc_codes) {
    MvmCounters k;
    k.adc_conversions.assign(cfg.num_adc_groups(), 0);
    k.adc_saturations.assign(cfg.num_adc_groups(), 0);
    k.cell_reads.assign(size_t{1} << cfg.cell_bits, 0);
    if (adc_codes)
        for (unsigned b : cfg.adc_bits) k.adc_codes.emplace_back(size_t{1} << b, 0);
    return k;
}

// Each mapped cell is drawn once, keyed by its place in the layer: the slices of a
// signal's plane set, or the sign column. A stuck cell also reads at its stuck level.
void BitSlicedLayer::build_faults(const IntMatrix& weights) {
    const HwConfig& c = m_cfg;
    const unsigned n = c.weight_bits;
    const unsigned top_level = static_cast<unsigned>(low_mask(c.cell_bits));
    const FaultDraws draws(c.faults, m_site.layer);
    const std::vector<ColumnGroup>& groups = m_mapping.column_groups;
    m_conductance.assign(groups.size() * m_outputs * m_inputs, 0.0f);
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& s = groups[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t in = 0; in < m_inputs; ++in) {
                const uint64_t pattern = stored_pattern(weights.at(out, in), s.plane_set, c);
                const unsigned k_lo = s.slices.front();
                double g = 0;
                for (unsigned k : s.slices) {
                    const unsigned level = s.sign_column ? static_cast<unsigned>((pattern >> (n - 1)) & 1u)
                                                         : slice_of(pattern, k, c.cell_bits);
                    const CellKey key{s.plane_set, k, m_site.first_output + out, m_site.first_input + in};
                    const FaultDraws::Cell cell = draws.cell(key, level, top_level);
                    ++m_fault_counts.cells;
                    if (cell.fault != CellFault::None) {
                        const unsigned stuck = cell.fault == CellFault::StuckLrs ? top_level : 0;
                        m_fault_counts.stuck_lrs += cell.fault == CellFault::StuckLrs;
                        m_fault_counts.stuck_hrs += cell.fault == CellFault::StuckHrs;
                        m_fault_counts.stuck_changed += stuck != level;
                        --m_row_cells[row_cell(in, level)], ++m_row_cells[row_cell(in, stuck)];
                        --m_cells_by_value[level], ++m_cells_by_value[stuck];
                    }
                    g += std::ldexp(cell.conductance, static_cast<int>(c.cell_bits * (k - k_lo)));
                }
                m_conductance[(si * m_inputs + in) * m_outputs + out] = static_cast<float>(g);
            }
    }
    m_adc_offset.assign(groups.size() * m_outputs * m_groups, 0.0);
    const size_t first_group = m_site.first_input / c.parallel_rows;
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& cg = groups[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g) {
                const uint64_t global_out = m_site.first_output + out;
                const uint64_t row_block = (first_group + g) * c.parallel_rows / c.xbar_rows;
                const AdcKey key{static_cast<unsigned>(si), row_block, global_out / cg.outputs_per_xbar,
                                 (global_out % cg.outputs_per_xbar) / c.columns_per_adc};
                m_adc_offset[(si * m_outputs + out) * m_groups + g] = draws.adc_offset_lsb(key);
            }
    }
}

// The kernel's view of the column groups, grouped by plane set, and what lets a run
// skip work: non-zero weight planes per block and each signal's largest possible sum.
void BitSlicedLayer::build_saturation_bounds() {
    const uint64_t top_level = low_mask(m_cfg.dac_bits);
    const std::vector<ColumnGroup>& groups = m_mapping.column_groups;
    m_plane_blocks = static_cast<unsigned>(ceil_div(m_cfg.input_bits, kernel::kPlaneLanes));
    m_sets.assign(m_plane_sets, {});
    m_index_in_set.assign(groups.size(), 0);
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& s = groups[si];
        kernel::Signal k;
        k.bit_lo = s.bit_lo;
        k.bit_count = s.bit_count;
        k.max_code = m_adc[si].max_code();
        k.out_shift = s.out_shift;
        k.negative = s.negative;
        m_index_in_set[si] = static_cast<unsigned>(m_sets[s.plane_set].signals.size());
        m_sets[s.plane_set].signals.push_back(k);
        m_sets[s.plane_set].column_group.push_back(si);
        m_sets[s.plane_set].bit_masks.push_back(static_cast<uint32_t>(low_mask(s.bit_count) << s.bit_lo));
    }
    m_wmask.assign(block_index(m_plane_sets, 0, 0), 0);
    m_nz_plane_words = 0;
    for (unsigned set = 0; set < m_plane_sets; ++set)
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g)
                for (unsigned b = 0; b < m_cfg.weight_bits; ++b) {
                    const uint64_t* wp = &m_planes[plane_index(set, out, g, b)];
                    if (std::any_of(wp, wp + m_words, [](uint64_t w) { return w != 0; })) {
                        m_wmask[block_index(set, out, g)] |= uint32_t{1} << b;
                        m_nz_plane_words += m_words;
                    }
                }
    m_nz_signals.assign(m_wmask.size(), 0);
    m_clip_signals.assign(m_wmask.size(), 0);
    for (unsigned set = 0; set < m_plane_sets; ++set)
        for (size_t k = 0; k < m_sets[set].signals.size(); ++k)
            for (size_t b = block_index(set, 0, 0); b < block_index(set + 1, 0, 0); ++b)
                if (m_wmask[b] & m_sets[set].bit_masks[k]) m_nz_signals[b] |= 1u << k;
    m_risky_words.assign(groups.size() * m_groups, 0);
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& s = groups[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g) {
                uint64_t sum = 0;
                for (unsigned j = 0; j < s.bit_count; ++j) {
                    const uint64_t* wp = &m_planes[plane_index(s.plane_set, out, g, s.bit_lo + j)];
                    uint64_t pc = 0;
                    for (size_t w = 0; w < m_words; ++w) pc += static_cast<uint64_t>(__builtin_popcountll(wp[w]));
                    sum += pc << j;
                }
                if (sum * top_level > m_adc[si].max_code()) {
                    m_clip_signals[block_index(s.plane_set, out, g)] |= 1u << m_index_in_set[si];
                    const uint32_t bits = m_wmask[block_index(s.plane_set, out, g)] >> s.bit_lo;
                    m_risky_words[si * m_groups + g] +=
                        static_cast<uint64_t>(__builtin_popcount(bits & static_cast<uint32_t>(low_mask(s.bit_count)))) * m_words;
                }
            }
    }
}

uint64_t BitSlicedLayer::state_bytes() const {
    auto bytes = [](const auto& v) { return uint64_t{v.size()} * sizeof(v[0]); };
    uint64_t n = bytes(m_planes) + bytes(m_half8) + bytes(m_half16) + bytes(m_odd) + bytes(m_wmask) + bytes(m_nz_signals) +
                 bytes(m_clip_signals) + bytes(m_risky_words) + bytes(m_row_cells) + bytes(m_cells_by_value) +
                 bytes(m_index_in_set) + bytes(m_conductance) + bytes(m_adc_offset);
    for (const PlaneSet& ps : m_sets) n += bytes(ps.signals) + bytes(ps.column_group) + bytes(ps.bit_masks);
    return n;
}

double BitSlicedLayer::latency_ns(const Technology& tech) const {
    double slowest_read = 0;
    for (const ColumnGroup& g : m_mapping.column_groups)
        slowest_read = std::max(slowest_read, tech.crossbar_read_ns +
                                                  g.conversions_per_adc * tech.adc_time_ns(m_cfg.adc_bits[g.adc_group]));
    return static_cast<double>(m_cfg.num_input_chunks()) * m_mapping.groups_per_xbar * slowest_read;
}

}  // namespace bitcim::core

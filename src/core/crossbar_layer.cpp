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
// Lane-parallel sums: one 16-bit lane per input chunk, four lanes per 64-bit word.
constexpr unsigned kLaneBits = 16;
constexpr unsigned kLanesPerWord = 4;
constexpr unsigned kMaxLanes = 16;
constexpr uint64_t kLaneMax = (uint64_t{1} << kLaneBits) - 1;
// Sums stay below the lane's top bit, so lanes compare against a code without branches.
constexpr uint64_t kLaneSumMax = kLaneMax >> 1;
constexpr uint64_t kLaneLow = 0x0001'0001'0001'0001;   // 1 in every lane
constexpr uint64_t kLaneHigh = 0x8000'8000'8000'8000;  // every lane's top bit

// With at most 8-bit weights and inputs a product fits in 16 bits and 2^15 of
// them in an int32: the linear part then runs as a vectorizable int16 GEMV.
constexpr unsigned kNarrowBits = 8;
constexpr size_t kNarrowBlock = size_t{1} << 15;

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
        build_faults();
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
    m_weights.assign(m_outputs * m_inputs, 0);
    const int64_t lo = c.weight_min();
    const int64_t hi = c.weight_max();
    for (size_t out = 0; out < m_outputs; ++out) {
        for (size_t in = 0; in < m_inputs; ++in) {
            const int64_t v = w.at(out, in);
            if (v < lo || v > hi)
                throw InputError(source + ": weight " + std::to_string(v) + " at row " +
                                 std::to_string(out + 1) + ", column " + std::to_string(in + 1) +
                                 " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
            m_weights[out * m_inputs + in] = static_cast<int32_t>(v);
            // Stored patterns per plane set, and the cells they occupy.
            const uint64_t pattern[2] = {stored_pattern(v, 0, c), stored_pattern(v, 1, c)};
            uint32_t* row = &m_row_cells[in * values];
            for (unsigned set = 0; set < m_plane_sets; ++set)
                for (unsigned k = 0; k < slices; ++k) ++row[slice_of(pattern[set], k, c.cell_bits)];
            if (c.sign == SignMode::Twos) ++row[(pattern[0] >> (n - 1)) & 1u];

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
        for (unsigned v = 0; v < values; ++v) m_cells_by_value[v] += m_row_cells[in * values + v];
    if (c.weight_bits <= kNarrowBits && c.input_bits <= kNarrowBits)
        m_weights16.assign(m_weights.begin(), m_weights.end());
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
void BitSlicedLayer::build_faults() {
    const HwConfig& c = m_cfg;
    const unsigned n = c.weight_bits;
    const unsigned top_level = static_cast<unsigned>(low_mask(c.cell_bits));
    const unsigned values = top_level + 1;
    const FaultDraws draws(c.faults, m_site.layer);
    const std::vector<ColumnGroup>& groups = m_mapping.column_groups;
    m_conductance.assign(groups.size() * m_outputs * m_inputs, 0.0f);
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& s = groups[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t in = 0; in < m_inputs; ++in) {
                const uint64_t pattern = stored_pattern(m_weights[out * m_inputs + in], s.plane_set, c);
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
                        --m_row_cells[in * values + level], ++m_row_cells[in * values + stuck];
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

void BitSlicedLayer::build_saturation_bounds() {
    const uint64_t top_level = low_mask(m_cfg.dac_bits);
    const std::vector<ColumnGroup>& groups = m_mapping.column_groups;
    m_static_sum.assign(groups.size() * m_outputs * m_groups, 0);
    m_lanes_fit = m_cfg.num_input_chunks() <= kMaxLanes;
    for (const ColumnGroup& s : groups)
        m_lanes_fit = m_lanes_fit && m_cfg.parallel_rows * top_level * low_mask(s.bit_count) <= kLaneSumMax;
    m_nz_start.assign(1, 0);
    for (size_t si = 0; si < groups.size(); ++si) {
        const ColumnGroup& s = groups[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g) {
                const uint64_t* wp = &m_planes[plane_index(s.plane_set, out, g, s.bit_lo)];
                for (unsigned r = 0; m_lanes_fit && r < m_cfg.parallel_rows; ++r) {
                    uint16_t v = 0;
                    for (unsigned j = 0; j < s.bit_count; ++j)
                        v |= static_cast<uint16_t>(((wp[j * m_words + r / kWordBits] >> (r % kWordBits)) & 1u) << j);
                    if (v) {
                        m_nz_row.push_back(static_cast<uint16_t>(r));
                        m_nz_value.push_back(v);
                    }
                }
                m_nz_start.push_back(static_cast<uint32_t>(m_nz_row.size()));
            }
    }
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
                m_static_sum[(si * m_outputs + out) * m_groups + g] = sum * top_level;
            }
    }
}

BitSlicedLayer::InputPlanes BitSlicedLayer::pack_input(const std::vector<uint32_t>& x) const {
    const HwConfig& c = m_cfg;
    if (x.size() != m_inputs)
        throw InputError("input has " + std::to_string(x.size()) + " values, the layer has " +
                         std::to_string(m_inputs) + " inputs");
    const unsigned a = c.input_bits;
    const unsigned chunks = c.num_input_chunks();
    const uint32_t level_mask = static_cast<uint32_t>(low_mask(c.dac_bits));
    InputPlanes in;
    in.planes.assign(m_groups * a * m_words, 0);
    in.nonzero.assign(m_groups * a, 0);
    in.level_sum.assign(chunks * m_groups, 0);
    for (size_t i = 0; i < m_inputs; ++i) {
        if (x[i] > c.input_max())
            throw InputError("input value " + std::to_string(x[i]) + " at position " + std::to_string(i + 1) +
                             " does not fit in " + std::to_string(a) + " bits");
        const size_t g = i / c.parallel_rows;
        const size_t r = i % c.parallel_rows;
        for (unsigned b = 0; b < a; ++b)
            if ((x[i] >> b) & 1u) {
                in.planes[(g * a + b) * m_words + r / kWordBits] |= uint64_t{1} << (r % kWordBits);
                in.nonzero[g * a + b] = 1;
            }
        for (unsigned t = 0; t < chunks; ++t) in.level_sum[t * m_groups + g] += (x[i] >> (c.dac_bits * t)) & level_mask;
    }
    return in;
}

// Events that do not depend on the ADC codes: every conversion happens whatever
// its value, and every driven cell is read.
void BitSlicedLayer::count_events(const std::vector<uint32_t>& x, MvmCounters& counters) const {
    const HwConfig& c = m_cfg;
    const unsigned chunks = c.num_input_chunks();
    const unsigned values = 1u << c.cell_bits;
    const uint32_t level_mask = static_cast<uint32_t>(low_mask(c.dac_bits));
    for (unsigned t = 0; t < chunks; ++t)
        for (size_t i = 0; i < m_inputs; ++i) {
            const uint32_t level = (x[i] >> (c.dac_bits * t)) & level_mask;
            if (!level) continue;
            for (unsigned v = 0; v < values; ++v) counters.cell_reads[v] += uint64_t{level} * m_row_cells[i * values + v];
        }
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
    uint64_t sum = 0;
    for (unsigned e = 0; e < d; ++e) {
        const unsigned b = d * t + e;
        if (b >= a || !in.nonzero[g * a + b]) continue;
        const uint64_t* xp = &in.planes[(g * a + b) * m_words];
        for (unsigned j = 0; j < s.bit_count; ++j) {
            const uint64_t* wp = &m_planes[plane_index(s.plane_set, out, g, s.bit_lo + j)];
            uint64_t pc = 0;
            for (size_t w = 0; w < m_words; ++w) pc += static_cast<uint64_t>(__builtin_popcountll(xp[w] & wp[w]));
            sum += pc << (e + j);
        }
    }
    return sum;
}

std::vector<int64_t> BitSlicedLayer::run(const std::vector<uint32_t>& x, MvmCounters& counters,
                                         uint64_t epoch) const {
    const InputPlanes in = pack_input(x);
    if (counters.adc_conversions.size() != m_cfg.num_adc_groups()) counters.add(make_counters());
    if (!counters.adc_codes.empty() && counters.adc_codes.size() != m_cfg.num_adc_groups())
        throw InputError("ADC code histograms sized for another layer");
    for (size_t g = 0; g < counters.adc_codes.size(); ++g)  // codes of the run-time resolution must fit
        counters.adc_codes[g].resize(std::max(counters.adc_codes[g].size(), size_t{1} << m_cfg.adc_bits[g]), 0);
    count_events(x, counters);
    std::vector<int64_t> y(m_outputs, 0);
    if (!m_conductance.empty()) {
        run_faulty(x, y, counters, epoch);
    } else if (m_cfg.adc_mode == AdcMode::Clip && counters.adc_codes.empty()) {
        run_clip(x, in, y, counters);
    } else {
        run_every(in, y, counters);
    }
    return y;
}

void BitSlicedLayer::run_clip(const std::vector<uint32_t>& x, const InputPlanes& in, std::vector<int64_t>& y,
                              MvmCounters& counters) const {
    if (!m_weights16.empty()) {
        const std::vector<int16_t> x16(x.begin(), x.end());
        for (size_t out = 0; out < m_outputs; ++out) {
            const int16_t* row = &m_weights16[out * m_inputs];
            int64_t acc = 0;
            for (size_t lo = 0; lo < m_inputs; lo += kNarrowBlock) {
                const size_t hi = std::min(m_inputs, lo + kNarrowBlock);
                int32_t block = 0;
                for (size_t i = lo; i < hi; ++i) block += int32_t{row[i]} * int32_t{x16[i]};
                acc += block;
            }
            y[out] = acc;
        }
    } else {
        for (size_t out = 0; out < m_outputs; ++out) {
            const int32_t* row = &m_weights[out * m_inputs];
            int64_t acc = 0;
            for (size_t i = 0; i < m_inputs; ++i) acc += int64_t{row[i]} * x[i];
            y[out] = acc;
        }
    }
    const unsigned d = m_cfg.dac_bits;
    const unsigned chunks = m_cfg.num_input_chunks();
    // Every chunk's level of every input, one 16-bit lane each: a cell's value times
    // these words adds its contribution to all chunks' bitline sums at once.
    const unsigned words = (chunks + kLanesPerWord - 1) / kLanesPerWord;
    std::vector<uint64_t> lanes;
    if (m_lanes_fit) {
        lanes.assign(m_groups * m_cfg.parallel_rows * words, 0);
        const uint32_t level_mask = static_cast<uint32_t>(low_mask(d));
        for (size_t i = 0; i < m_inputs; ++i)
            for (unsigned t = 0; t < chunks; ++t)
                lanes[i * words + t / kLanesPerWord] |= uint64_t{(x[i] >> (d * t)) & level_mask}
                                                        << (kLaneBits * (t % kLanesPerWord));
    }
    std::vector<unsigned> risky_chunks;
    uint64_t acc[kMaxLanes / kLanesPerWord];
    for (size_t si = 0; si < m_mapping.column_groups.size(); ++si) {
        const ColumnGroup& s = m_mapping.column_groups[si];
        const uint64_t max_code = m_adc[si].max_code();
        const uint64_t max_cell = low_mask(s.bit_count);
        for (size_t g = 0; g < m_groups; ++g) {
            // Input chunks whose applied levels could push this signal past the top code.
            risky_chunks.clear();
            for (unsigned t = 0; t < chunks; ++t)
                if (in.level_sum[t * m_groups + g] * max_cell > max_code) risky_chunks.push_back(t);
            if (risky_chunks.empty()) continue;
            for (size_t out = 0; out < m_outputs; ++out) {
                const size_t key = (si * m_outputs + out) * m_groups + g;
                if (m_static_sum[key] <= max_code) continue;
                if (m_lanes_fit) {
                    std::fill(acc, acc + words, 0);
                    const uint64_t* base = &lanes[g * m_cfg.parallel_rows * words];
                    for (uint32_t k = m_nz_start[key]; k < m_nz_start[key + 1]; ++k) {
                        const uint64_t* lv = base + size_t{m_nz_row[k]} * words;
                        for (unsigned w = 0; w < words; ++w) acc[w] += m_nz_value[k] * lv[w];
                    }
                    // Every chunk at once: a lane's top bit is set where its sum exceeds the top code.
                    if (max_code >= kLaneSumMax) continue;  // no lane can exceed it
                    int64_t lost = 0;
                    for (unsigned w = 0; w < words; ++w) {
                        const uint64_t over = (acc[w] + (kLaneSumMax - max_code) * kLaneLow) & kLaneHigh;
                        if (!over) continue;
                        const uint64_t mask = (over >> (kLaneBits - 1)) * kLaneMax;
                        const uint64_t excess = (acc[w] & mask) - (max_code * kLaneLow & mask);
                        counters.adc_saturations[s.adc_group] += static_cast<uint64_t>(__builtin_popcountll(over));
                        for (unsigned j = 0; j < kLanesPerWord; ++j)
                            lost += static_cast<int64_t>((excess >> (kLaneBits * j)) & kLaneMax)
                                    << (d * (w * kLanesPerWord + j));
                    }
                    y[out] += s.negative ? (lost << s.out_shift) : -(lost << s.out_shift);
                    continue;
                }
                for (unsigned t : risky_chunks) {
                    const uint64_t sum = signal_sum(s, out, g, t, in);
                    if (sum <= max_code) continue;
                    ++counters.adc_saturations[s.adc_group];
                    const int64_t lost = static_cast<int64_t>(sum - max_code) << (s.out_shift + d * t);
                    y[out] += s.negative ? lost : -lost;
                }
            }
        }
    }
}

void BitSlicedLayer::run_every(const InputPlanes& in, std::vector<int64_t>& y, MvmCounters& counters) const {
    const unsigned d = m_cfg.dac_bits;
    const unsigned chunks = m_cfg.num_input_chunks();
    for (size_t si = 0; si < m_mapping.column_groups.size(); ++si) {
        const ColumnGroup& s = m_mapping.column_groups[si];
        const AdcTransfer& adc = m_adc[si];
        for (size_t out = 0; out < m_outputs; ++out)
            for (size_t g = 0; g < m_groups; ++g) {
                if (m_static_sum[(si * m_outputs + out) * m_groups + g] == 0) {  // every code is 0
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

void BitSlicedLayer::run_faulty(const std::vector<uint32_t>& x, std::vector<int64_t>& y, MvmCounters& counters,
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

double BitSlicedLayer::latency_ns(const Technology& tech) const {
    double slowest_read = 0;
    for (const ColumnGroup& g : m_mapping.column_groups)
        slowest_read = std::max(slowest_read, tech.crossbar_read_ns +
                                                  g.conversions_per_adc * tech.adc_time_ns(m_cfg.adc_bits[g.adc_group]));
    return static_cast<double>(m_cfg.num_input_chunks()) * m_mapping.groups_per_xbar * slowest_read;
}

}  // namespace bitcim::core

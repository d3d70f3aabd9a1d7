#include "cycle/pe_cycle.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "core/adc.h"
#include "components/analog_composer.h"
#include "core/errors.h"
#include "core/number_format.h"
#include "components/shift_add.h"

namespace bitcim {

unsigned CyclePe::adc_count(const core::HwConfig& cfg) { return core::plan_pe(cfg).adcs_per_pe(); }

std::vector<std::string> CyclePe::adc_names(const core::HwConfig& cfg) {
    std::vector<std::string> names;
    for (const core::ColumnGroup& g : core::plan_pe(cfg).column_groups)
        for (unsigned j = 0; j < g.adcs_per_xbar; ++j)
            names.push_back(g.adcs_per_xbar == 1 ? g.name : g.name + "_" + std::to_string(j));
    return names;
}

CyclePe::CyclePe(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech)
    : sc_module(name),
      adcs("adc", adc_count(cfg),
           [names = adc_names(cfg)](const char*, size_t i) { return new SarAdcRtl(names.at(i).c_str()); }),
      m_cfg(cfg), m_tech(tech),
      m_period(tech.sar_bit_time_ns, sc_core::SC_NS) {
    core::validate(m_cfg, "cycle PE configuration");
    for (unsigned b : m_cfg.adc_bits)
        if (b > kSarRtlMaxBits)
            throw InputError("cycle level: the SAR controller RTL is built for at most " +
                             std::to_string(kSarRtlMaxBits) + "-bit ADCs, the configuration asks for " +
                             std::to_string(b));
    for (SarAdcRtl& adc : adcs) {
        adc.clk(adc_clk);
        adc.rst(adc_rst);
    }
    build_signals();
}

// The plan's column groups in terms of cell crossbars: crossbar set * slices + k
// holds slice k of plane set `set`; the sign column's crossbar comes last.
void CyclePe::build_signals() {
    const core::HwConfig& c = m_cfg;
    const unsigned slices = c.num_slices();
    unsigned first_adc = 0;
    for (const core::ColumnGroup& g : core::plan_pe(c).column_groups) {
        Signal s{{}, g.out_shift, g.negative, g.adc_group,
                 core::adc_transfer(c, g.adc_group, g.bit_count).lsb_shift(), first_adc};
        for (unsigned k : g.slices) s.xbars.push_back(g.plane_set * slices + k);
        m_signals.push_back(std::move(s));
        first_adc += g.adcs_per_xbar;
    }
}

void CyclePe::program(const core::IntMatrix& block) {
    const core::HwConfig& c = m_cfg;
    if (block.cols > c.xbar_rows || block.rows > c.outputs_per_xbar())
        throw InputError("cycle PE: block does not fit one crossbar");
    const unsigned slices = c.num_slices();
    const bool twos = c.sign == core::SignMode::Twos;
    const unsigned sets = twos ? 1 : 2;
    m_inputs = block.cols;
    m_outputs = block.rows;
    this->block.write(m_blocks++);
    m_xbars.assign(sets * slices + (twos ? 1 : 0),
                   Crossbar(static_cast<unsigned>(m_inputs), static_cast<unsigned>(m_outputs), c.cell_bits));
    for (size_t o = 0; o < m_outputs; ++o)
        for (size_t i = 0; i < m_inputs; ++i) {
            const int64_t v = block.at(o, i);
            if (v < c.weight_min() || v > c.weight_max()) throw InputError("cycle PE: weight outside the format");
            const unsigned set = (!twos && v < 0) ? 1 : 0;
            const uint64_t pattern = core::stored_pattern(v, set, c);
            for (unsigned k = 0; k < slices; ++k) {
                m_xbars[set * slices + k].program(static_cast<unsigned>(i), static_cast<unsigned>(o),
                                                  core::slice_of(pattern, k, c.cell_bits));
            }
            if (twos)
                m_xbars[slices].program(static_cast<unsigned>(i), static_cast<unsigned>(o),
                                        static_cast<uint32_t>(pattern >> (c.weight_bits - 1)));
        }
}

// One gated ADC clock cycle: rising edge (the controllers act), falling edge half
// a period later; returns at the end of the cycle, when outputs are stable.
uint64_t CyclePe::tick() {
    adc_clk.write(true);
    wait(m_period / 2.0);
    adc_clk.write(false);
    wait(m_period / 2.0);
    return 1;
}

void CyclePe::reset() {
    adc_rst.write(true);
    tick();
    tick();
    adc_rst.write(false);
}

std::vector<int64_t> CyclePe::run(const std::vector<uint32_t>& x, core::MvmCounters& counters, uint64_t* cycles) {
    const core::HwConfig& c = m_cfg;
    if (x.size() != m_inputs) throw InputError("cycle PE: input length differs from the block's rows");
    const unsigned chunks = c.num_input_chunks();
    const uint32_t level_mask = (1u << c.dac_bits) - 1;
    const AnalogComposer composer(c.cell_bits);
    const uint64_t read_cycles = static_cast<uint64_t>(std::ceil(m_tech.crossbar_read_ns / (m_tech.sar_bit_time_ns)));
    std::vector<ShiftAdd> acc(m_outputs);
    uint64_t n_cycles = 0;
    busy.write(true);
    for (unsigned t = 0; t < chunks; ++t) {
        std::vector<uint32_t> levels(m_inputs);
        for (size_t i = 0; i < m_inputs; ++i) levels[i] = (x[i] >> (c.dac_bits * t)) & level_mask;
        for (unsigned g0 = 0; g0 < m_inputs; g0 += c.parallel_rows) {
            input_bit_plane.write(t);
            row_group.write(g0 / c.parallel_rows);
            reading.write(true);
            // The crossbar read: every bitline of every cell crossbar settles.
            std::vector<std::vector<uint64_t>> sums;
            for (const Crossbar& xb : m_xbars) {
                sums.push_back(xb.bitline_sums(levels, g0, c.parallel_rows));
                xb.count_reads(levels, g0, c.parallel_rows, counters.cell_reads);
            }
            counters.crossbar_reads += m_signals.size();
            // The ADC clocks are gated while the bitlines settle.
            wait(static_cast<double>(read_cycles) * m_period);
            n_cycles += read_cycles;
            reading.write(false);
            // Every ADC converts its columns one after another, all ADCs at once.
            std::vector<std::deque<Conversion>> queue(adcs.size());
            for (unsigned si = 0; si < m_signals.size(); ++si)
                for (size_t o = 0; o < m_outputs; ++o) {
                    std::vector<uint64_t> slice_sums;
                    for (unsigned xb : m_signals[si].xbars) slice_sums.push_back(sums[xb][o]);
                    const uint64_t bitline = slice_sums.size() == 1 ? slice_sums[0] : composer.compose(slice_sums);
                    queue[m_signals[si].first_adc + o / c.columns_per_adc].push_back({o, si, bitline});
                }
            enum { kIdle, kStarted, kConverting };
            std::vector<int> state(adcs.size(), kIdle);
            std::vector<Conversion> current(adcs.size());
            for (;;) {
                bool active = false;
                for (size_t a = 0; a < adcs.size(); ++a) {
                    SarAdcRtl& adc = adcs[a];
                    if (state[a] == kStarted) {
                        adc.start.write(false);
                        state[a] = kConverting;
                    } else if (state[a] == kConverting && adc.done.read()) {
                        const Conversion& cv = current[a];
                        const Signal& s = m_signals[cv.signal];
                        const unsigned bits = c.adc_bits[s.adc_group];
                        counters.adc_saturations[s.adc_group] += adc.over_range(bits);
                        ++counters.adc_conversions[s.adc_group];
                        ++counters.shift_adds;
                        acc[cv.output].accumulate(uint64_t{adc.code.read()} << s.lsb_shift, s.out_shift + c.dac_bits * t,
                                                  s.negative);
                        state[a] = kIdle;
                    }
                    if (state[a] == kIdle && !queue[a].empty()) {
                        current[a] = queue[a].front();
                        queue[a].pop_front();
                        const Signal& s = m_signals[current[a].signal];
                        adc.hold(current[a].bitline, s.lsb_shift);
                        adc.bits.write(c.adc_bits[s.adc_group]);
                        adc.start.write(true);
                        state[a] = kStarted;
                    }
                    active = active || state[a] != kIdle;
                }
                if (!active) break;
                n_cycles += tick();
            }
        }
    }
    busy.write(false);
    *cycles = n_cycles;
    std::vector<int64_t> y;
    for (const ShiftAdd& a : acc) y.push_back(a.result());
    return y;
}

void CyclePe::trace(sc_core::sc_trace_file* tf, const std::vector<size_t>& adc_set) const {
    sc_core::sc_trace(tf, adc_clk, adc_clk.name());
    sc_core::sc_trace(tf, busy, busy.name());
    sc_core::sc_trace(tf, reading, reading.name());
    sc_core::sc_trace(tf, input_bit_plane, input_bit_plane.name());
    sc_core::sc_trace(tf, row_group, row_group.name());
    sc_core::sc_trace(tf, block, block.name());
    for (size_t a = 0; a < adcs.size(); ++a)
        if (adc_set.empty() || std::find(adc_set.begin(), adc_set.end(), a) != adc_set.end()) adcs[a].trace(tf);
}

}  // namespace bitcim

#include "cycle/lfsr_rtl.h"
#include "sim/simulation.h"

#include <utility>

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "Vlfsr_index_gen.h"
#include "cycle/dual_vcd.h"

namespace bitcim {

namespace {
// The stand-alone LFSR bench runs at 1 GHz; the cycle-level PE takes its clock
// from the technology configuration instead.
const sc_core::sc_time kStandaloneClockPeriod(1, sc_core::SC_NS);
}  // namespace

LfsrRtl::LfsrRtl(const sc_core::sc_module_name& name)
    : sc_module(name),
      clk("clk"), rst("rst"), load("load"), seed("seed"), taps("taps"), en("en"), n("n"),
      state("state"), taps_out("taps_out"), index("index"), index_valid("index_valid"),
      m_rtl(std::make_unique<Vlfsr_index_gen>("lfsr_index_gen")) {
    m_rtl->clk_i(clk);
    m_rtl->rst_i(rst);
    m_rtl->load_i(load);
    m_rtl->seed_i(seed);
    m_rtl->taps_i(taps);
    m_rtl->en_i(en);
    m_rtl->n_i(n);
    m_rtl->state_o(state);
    m_rtl->taps_o(taps_out);
    m_rtl->index_o(index);
    m_rtl->index_valid_o(index_valid);
}

LfsrRtl::~LfsrRtl() = default;

void LfsrRtl::trace(VerilatedVcdSc* vcd, int levels) { m_rtl->trace(vcd, levels); }

void LfsrRtl::final() { m_rtl->final(); }

LfsrRtlDriver::LfsrRtlDriver(const sc_core::sc_module_name& name, sc_core::sc_time clock_period,
                             std::vector<LfsrJob> jobs, StepCallback on_step)
    : sc_module(name), clk("clk", clock_period), m_jobs(std::move(jobs)),
      m_on_step(std::move(on_step)) {
    rtl.clk(clk);
    rtl.rst(rst);
    rtl.load(load);
    rtl.seed(seed);
    rtl.taps(taps);
    rtl.en(en);
    rtl.n(n);
    rtl.state(state);
    rtl.taps_out(taps_out);
    rtl.index(index);
    rtl.index_valid(index_valid);
    model.clk(clk);
    model.rst(rst);
    model.load(load);
    model.seed(seed);
    model.taps(taps);
    model.en(en);
    model.n(n);
    model.state(model_state);
    model.taps_out(model_taps_out);
    model.index(model_index);
    model.index_valid(model_index_valid);
    SC_HAS_PROCESS(LfsrRtlDriver);
    SC_THREAD(run);
}

void LfsrRtlDriver::trace(sc_core::sc_trace_file* tf) const {
    sc_core::sc_trace(tf, clk, clk.name());
    sc_core::sc_trace(tf, rst, rst.name());
    sc_core::sc_trace(tf, load, load.name());
    sc_core::sc_trace(tf, seed, seed.name());
    sc_core::sc_trace(tf, taps, taps.name());
    sc_core::sc_trace(tf, en, en.name());
    sc_core::sc_trace(tf, n, n.name());
    sc_core::sc_trace(tf, state, state.name());
    sc_core::sc_trace(tf, index, index.name());
    sc_core::sc_trace(tf, index_valid, index_valid.name());
    sc_core::sc_trace(tf, model_state, model_state.name());
}

// Inputs change on the falling edge; the RTL samples them on the rising edge,
// and its new state is read on the next falling edge.
void LfsrRtlDriver::tick() {
    wait(clk.negedge_event());
    ++m_cycles;
}

void LfsrRtlDriver::run() {
    tick();
    rst.write(true);
    tick();
    rst.write(false);
    for (size_t j = 0; j < m_jobs.size(); ++j) {
        const LfsrJob& job = m_jobs[j];
        seed.write(job.params.seed);
        taps.write(job.params.taps);
        n.write(job.n);
        load.write(true);
        tick();
        load.write(false);
        en.write(true);
        for (uint64_t s = 0; s < job.count; ++s) {
            tick();
            m_model_mismatches += model_state.read() != state.read() || model_index.read() != index.read() ||
                                  model_index_valid.read() != index_valid.read();
            m_on_step(j, s, {state.read(), index.read(), index_valid.read()});
        }
        en.write(false);
    }
    tick();
    sc_core::sc_stop();
}

std::vector<LfsrStep> run_lfsr_rtl(const std::vector<LfsrJob>& jobs, const std::string& vcd_prefix,
                                   LfsrWaveforms* waveforms) {
    for (const LfsrJob& job : jobs) core::validate(job.params);
    DualVcd vcd(vcd_prefix);
    std::vector<LfsrStep> states;
    LfsrRtlDriver driver("lfsr", kStandaloneClockPeriod, jobs,
                         [&states](size_t, uint64_t, const LfsrStep& s) { states.push_back(s); });
    if (vcd.enabled()) driver.trace(vcd.systemc_file());
    vcd.start([&driver](VerilatedVcdSc* rtl) { driver.rtl.trace(rtl, kRtlTraceLevels); });
    bitcim::simulate();
    driver.rtl.final();
    vcd.close();
    if (waveforms) *waveforms = {vcd.systemc_path(), vcd.rtl_path(), driver.model_mismatches()};
    return states;
}

}  // namespace bitcim

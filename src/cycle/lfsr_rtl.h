// SystemC wrapper around the Verilated lfsr_index_gen RTL, and a driver that
// sequences reset, seed/tap loads and steps through it. The wrapper has the
// ports of the RTL, so a behavioural LFSR with the same ports can replace it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "core/lfsr.h"
#include "cycle/lfsr_index_gen.h"

class Vlfsr_index_gen;
class VerilatedVcdSc;

namespace bitcim {

class LfsrRtl : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_in<bool> rst;
    sc_core::sc_in<bool> load;
    sc_core::sc_in<uint32_t> seed;
    sc_core::sc_in<uint32_t> taps;
    sc_core::sc_in<bool> en;
    sc_core::sc_in<uint32_t> n;
    sc_core::sc_out<uint32_t> state;
    sc_core::sc_out<uint32_t> taps_out;
    sc_core::sc_out<uint32_t> index;
    sc_core::sc_out<bool> index_valid;

    explicit LfsrRtl(const sc_core::sc_module_name& name);
    ~LfsrRtl() override;
    LfsrRtl(const LfsrRtl&) = delete;
    LfsrRtl& operator=(const LfsrRtl&) = delete;

    /// Records the RTL's internal signals into a Verilator VCD (call after elaboration).
    void trace(VerilatedVcdSc* vcd, int levels);
    /// Runs the RTL's final blocks; call once after simulation.
    void final();

private:
    std::unique_ptr<Vlfsr_index_gen> m_rtl;
};

/// One run of the LFSR: load `params`, then `count` steps; `n` positions for the
/// index output (0: none).
struct LfsrJob {
    core::LfsrParams params;
    uint64_t count = 0;
    uint32_t n = 0;
};

/// What the index generator shows after one step.
struct LfsrStep {
    uint32_t state;
    uint32_t index;
    bool index_valid;
};

/// Drives an LfsrRtl through a list of jobs, one clock per step, and reports the
/// state after every step to `on_step(job, step, state)`. A job's first cycle
/// holds reset when `reset_before` is set, then loads seed and taps.
class LfsrRtlDriver : public sc_core::sc_module {
public:
    using StepCallback = std::function<void(size_t job, uint64_t step, const LfsrStep& out)>;

    sc_core::sc_clock clk;
    sc_core::sc_signal<bool> rst{"rst"};
    sc_core::sc_signal<bool> load{"load"};
    sc_core::sc_signal<uint32_t> seed{"seed"};
    sc_core::sc_signal<uint32_t> taps{"taps"};
    sc_core::sc_signal<bool> en{"en"};
    sc_core::sc_signal<uint32_t> n{"n"};
    sc_core::sc_signal<uint32_t> state{"state"};
    sc_core::sc_signal<uint32_t> taps_out{"taps_out"};
    sc_core::sc_signal<uint32_t> index{"index"};
    sc_core::sc_signal<bool> index_valid{"index_valid"};
    sc_core::sc_signal<uint32_t> model_state{"model_state"};
    sc_core::sc_signal<uint32_t> model_taps_out{"model_taps_out"};
    sc_core::sc_signal<uint32_t> model_index{"model_index"};
    sc_core::sc_signal<bool> model_index_valid{"model_index_valid"};
    LfsrRtl rtl{"rtl"};
    /// The behavioural model on the same inputs, compared with the RTL every step.
    LfsrIndexGen model{"model"};

    LfsrRtlDriver(const sc_core::sc_module_name& name, sc_core::sc_time clock_period,
                  std::vector<LfsrJob> jobs, StepCallback on_step);

    /// Adds the driver's SystemC signals to a SystemC trace file.
    void trace(sc_core::sc_trace_file* tf) const;
    uint64_t cycles() const { return m_cycles; }
    /// Steps on which the behavioural model's state differed from the RTL's.
    uint64_t model_mismatches() const { return m_model_mismatches; }

private:
    void run();
    void tick();

    std::vector<LfsrJob> m_jobs;
    StepCallback m_on_step;
    uint64_t m_cycles = 0;
    uint64_t m_model_mismatches = 0;
};

/// Waveform files written by run_lfsr_rtl: the SystemC side and the RTL side,
/// same 1 ps timescale, to be opened together in GTKWave.
struct LfsrWaveforms {
    std::string systemc_vcd;  ///< "" when tracing is off
    std::string rtl_vcd;
    uint64_t model_mismatches = 0;  ///< behavioural model vs RTL, over the whole run
};

/// Elaborates a driver, runs every job to completion and returns what the
/// generator showed after each step of each job, in order. With a non-empty `vcd_prefix` writes
/// `<prefix>_sc.vcd` and `<prefix>_rtl.vcd`. SystemC elaborates once per process:
/// call this at most once.
std::vector<LfsrStep> run_lfsr_rtl(const std::vector<LfsrJob>& jobs, const std::string& vcd_prefix,
                                   LfsrWaveforms* waveforms = nullptr);

}  // namespace bitcim

// Waveforms of a co-simulation: PREFIX_sc.vcd for SystemC signals and
// PREFIX_rtl.vcd for a Verilated model's internals, same 1 ps timescale
// (Verilator 5.006 cannot record SystemC signals into its own trace file).
// Owns the ordering Verilator requires: tracing enabled before the model is
// built, SystemC trace file before elaboration ends, RTL file after it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <systemc>

#include "sim/trace.h"

class VerilatedVcdSc;

namespace bitcim {

/// Levels of a Verilated hierarchy to record: all of them.
inline constexpr int kRtlTraceLevels = 99;

class DualVcd {
public:
    /// Call before building any Verilated model; "" turns tracing off.
    explicit DualVcd(std::string prefix);
    ~DualVcd();
    DualVcd(const DualVcd&) = delete;
    DualVcd& operator=(const DualVcd&) = delete;

    bool enabled() const { return !m_prefix.empty(); }
    /// The SystemC trace file (nullptr when off): add signals before start().
    sc_core::sc_trace_file* systemc_file() const { return m_sc; }
    /// Ends elaboration (sc_start(SC_ZERO_TIME)) and opens the RTL file, into which
    /// `attach` traces the Verilated model(s). Then run the simulation.
    void start(const std::function<void(VerilatedVcdSc*)>& attach);
    /// Flushes and closes both files.
    void close();

    std::string systemc_path() const { return enabled() ? m_prefix + "_sc.vcd" : ""; }
    std::string rtl_path() const { return enabled() ? m_prefix + "_rtl.vcd" : ""; }

private:
    std::string m_prefix;
    sc_core::sc_trace_file* m_sc = nullptr;
    std::unique_ptr<VerilatedVcdSc> m_rtl;
};

}  // namespace bitcim

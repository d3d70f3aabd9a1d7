// The cycle level's waveforms, VCD or FST by the path's extension:
// FILE.vcd writes FILE_sc.vcd (SystemC) and FILE_rtl.vcd (RTL) through DualVcd;
// FILE.fst writes one file holding both, the RTL through RtlVcdCapture, and a
// GTKWave save file FILE.gtkw beside it. Owns the ordering Verilator requires.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cycle/pe_cycle.h"
#include "sim/trace.h"

namespace bitcim {

class DualVcd;
class FstTraceFile;
class RtlVcdCapture;

class CycleWaves {
public:
    /// Call before building any Verilated model; a disabled `opt` records nothing.
    explicit CycleWaves(const TraceOptions& opt);
    ~CycleWaves();
    CycleWaves(const CycleWaves&) = delete;
    CycleWaves& operator=(const CycleWaves&) = delete;

    bool enabled() const { return m_opt.enabled(); }
    /// The SystemC side's trace file (nullptr when off): trace more signals before start().
    sc_core::sc_trace_file* systemc_file() const;
    /// The ADCs `opt.adcs` names, as indices into pe.adcs; throws InputError naming
    /// --trace-adcs and the PE's ADCs for an unknown name.
    static std::vector<size_t> select_adcs(const TraceOptions& opt, const core::HwConfig& cfg);
    /// Traces `pe`'s signals and the chosen ADCs', ends elaboration, attaches their RTL.
    void start(CyclePe& pe, const core::HwConfig& cfg);
    /// FST only: pause or resume recording (a window of images).
    void set_recording(bool on);
    /// Flushes and closes; writes FILE.gtkw for an FST.
    void close();
    /// What was written, for the user.
    std::string note() const;

private:
    TraceOptions m_opt;
    std::vector<std::string> m_adc_names;
    std::unique_ptr<DualVcd> m_vcd;
    std::unique_ptr<FstTraceFile> m_fst;
    std::unique_ptr<RtlVcdCapture> m_capture;
};

}  // namespace bitcim

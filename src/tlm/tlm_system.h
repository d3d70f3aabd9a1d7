// A host initiator wired to a chip: the TLM-level system that `bitcim mvm
// --level tlm` and the regressions elaborate (several may share one kernel).
#pragma once

#include <string>
#include <vector>

#include <systemc>

#include "tlm/chip.h"
#include "tlm/host_initiator.h"
#include "core/mvm_report.h"
#include "sim/trace.h"

namespace bitcim {

class TlmSystem : public sc_core::sc_module {
public:
    sc_core::sc_signal<bool> irq{"irq"};
    Chip chip;
    HostInitiator host;

    TlmSystem(const sc_core::sc_module_name& name, const ChipParams& params, const core::Technology& tech,
              HostInitiator::Program program);
};

/// The smallest chip of `pes_per_tile`-PE tiles that holds a layer and its batch.
ChipParams chip_params_for(const core::HwConfig& hw, size_t inputs, size_t outputs, size_t batch,
                           unsigned pes_per_tile = 8);

/// Sets the global quantum: the one place it is set for TLM runs.
void set_global_quantum();

struct TlmRun {
    core::MvmReport report;
    uint32_t error = 0;  ///< the chip's ERROR_CODE, 0 when the run succeeded
    std::string waveforms;  ///< what the trace wrote, for the user ("" without one)
};

/// Elaborates one TlmSystem, programs `weights`, runs `inputs` and reports. With
/// an enabled `trace` writes the chip's waveforms and bus log (TlmWaves). SystemC
/// elaborates once per process: call at most once.
TlmRun run_mvm_tlm(const core::HwConfig& hw, const core::Technology& tech, const core::IntMatrix& weights,
                   const std::vector<std::vector<uint32_t>>& inputs, const TraceOptions& trace);

}  // namespace bitcim

// The cycle-level system behind `bitcim mvm --level cycle`: a clock at the SAR
// bit rate, a CyclePe, and a sequencer that runs every block of a layer through
// it (blocks are parallel PEs in hardware; the PE is reused in simulation).
#pragma once

#include <string>
#include <vector>

#include "core/crossbar_layer.h"
#include "core/hw_config.h"
#include "core/int_matrix.h"
#include "core/mvm_report.h"
#include "core/technology.h"
#include "sim/trace.h"

namespace bitcim {

struct CycleRun {
    core::MvmReport report;  ///< latency_ns: per vector the slowest block's cycles, summed
    uint64_t cycles = 0;       ///< the same in clock cycles
    uint64_t simulated_cycles = 0;  ///< clock cycles the simulation ran (all blocks in turn)
    double clock_period_ns = 0;
    std::string waveforms;  ///< what the trace wrote, for the user ("" without one)
};

class CyclePe;

/// Runs every crossbar-sized block of `weights` through `pe` (call from a thread),
/// each input vector in turn: adds the outputs into `outputs` (sized here), the
/// events into `counters`, per vector the slowest block's cycles into
/// `vector_cycles` (blocks are parallel PEs in hardware) and every cycle the
/// simulation ran into `simulated`.
void run_layer_blocks(CyclePe& pe, const core::HwConfig& hw, const core::IntMatrix& weights,
                      const std::vector<std::vector<uint32_t>>& inputs, core::MvmCounters& counters,
                      std::vector<std::vector<int64_t>>& outputs, std::vector<uint64_t>& vector_cycles,
                      uint64_t& simulated);

/// Device faults are modelled at the golden and tlm levels only: throws InputError if `hw` asks for them.
void refuse_faults_at_cycle_level(const core::HwConfig& hw);

/// Elaborates and runs once per process. With `trace`, writes its waveforms
/// (CycleWaves: FILE.fst, or FILE_sc.vcd and FILE_rtl.vcd).
CycleRun run_mvm_cycle(const core::HwConfig& hw, const core::Technology& tech, const core::IntMatrix& weights,
                       const std::vector<std::vector<uint32_t>>& inputs, const TraceOptions& trace);

}  // namespace bitcim

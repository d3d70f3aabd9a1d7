#include "tlm/tlm_system.h"
#include "sim/simulation.h"

#include <tlm>

#include "sim/trace.h"
#include "core/mapping.h"
#include "tlm/regmap.h"
#include "tlm/tlm_waves.h"

namespace bitcim {

namespace {
// Long enough that the host rarely yields, short enough that waveforms of the
// chip's busy lines stay within a microsecond of the decoupled time.
const sc_core::sc_time kGlobalQuantum(10, sc_core::SC_US);

constexpr uint64_t kBufferSlackBytes = 4096;  // room for a DMA burst past the data
}  // namespace

TlmSystem::TlmSystem(const sc_core::sc_module_name& name, const ChipParams& params, const core::Technology& tech,
                     HostInitiator::Program program)
    : sc_module(name), chip("chip", params, tech), host("host", std::move(program)) {
    host.socket.bind(chip.socket);
    chip.irq(irq);
    host.irq(irq);
}

ChipParams chip_params_for(const core::HwConfig& hw, size_t inputs, size_t outputs, size_t batch,
                           unsigned pes_per_tile) {
    ChipParams p;
    p.hw = hw;
    p.pes_per_tile = pes_per_tile;
    const size_t pes = core::plan_mapping(hw, inputs, outputs).pe_blocks.size();
    p.tiles = static_cast<unsigned>(core::ceil_div(pes, pes_per_tile));
    p.input_buffer_bytes = batch * inputs * regmap::kInputBytes + kBufferSlackBytes;
    p.output_buffer_bytes = batch * outputs * regmap::kOutputBytes + kBufferSlackBytes;
    return p;
}

void set_global_quantum() { tlm::tlm_global_quantum::instance().set(kGlobalQuantum); }

TlmRun run_mvm_tlm(const core::HwConfig& hw, const core::Technology& tech, const core::IntMatrix& weights,
                   const std::vector<std::vector<uint32_t>>& inputs, const TraceOptions& trace) {
    set_global_quantum();
    TlmRun run;
    ChipParams params = chip_params_for(hw, weights.cols, weights.rows, inputs.size());
    params.busy_lines = trace.enabled();  // only waveforms look at this chip's PE lines
    TlmSystem system("system", params, tech,
                     [&](HostInitiator& host) {
                         run.error = host.program_layer(weights);
                         if (run.error == regmap::ERR_NONE)
                             run.error = host.run_batch(inputs, weights.rows, run.report.outputs);
                     });
    TlmWaves waves(trace, system.chip);
    bitcim::simulate();
    waves.close();
    run.waveforms = waves.note();
    run.report.counters = system.chip.counters();
    run.report.energy = system.chip.energy();
    run.report.latency_ns = system.chip.busy_time().to_seconds() * 1e9;
    return run;
}

}  // namespace bitcim

#include "cycle/cycle_system.h"
#include "sim/simulation.h"

#include <algorithm>

#include "cycle/cycle_waves.h"
#include "core/energy.h"
#include "core/errors.h"
#include "core/mapping.h"
#include "cycle/pe_cycle.h"

namespace bitcim {

namespace {

struct CycleSystem : sc_core::sc_module {
    CyclePe pe;
    const core::HwConfig& hw;
    const core::IntMatrix& weights;
    const std::vector<std::vector<uint32_t>>& inputs;
    CycleRun& out;

    CycleSystem(const sc_core::sc_module_name& n, const core::HwConfig& cfg, const core::Technology& tech,
                const core::IntMatrix& w, const std::vector<std::vector<uint32_t>>& xs, CycleRun& result)
        : sc_module(n), pe("pe", cfg, tech), hw(cfg), weights(w), inputs(xs), out(result) {
        SC_HAS_PROCESS(CycleSystem);
        SC_THREAD(sequence);
    }

    void sequence() {
        pe.reset();
        std::vector<uint64_t> vector_cycles(inputs.size(), 0);
        run_layer_blocks(pe, hw, weights, inputs, out.report.counters, out.report.outputs, vector_cycles,
                         out.simulated_cycles);
        for (uint64_t c : vector_cycles) out.cycles += c;
        sc_core::sc_stop();
    }
};

}  // namespace

void run_layer_blocks(CyclePe& pe, const core::HwConfig& hw, const core::IntMatrix& weights,
                      const std::vector<std::vector<uint32_t>>& inputs, core::MvmCounters& counters,
                      std::vector<std::vector<int64_t>>& outputs, std::vector<uint64_t>& vector_cycles,
                      uint64_t& simulated) {
    outputs.assign(inputs.size(), std::vector<int64_t>(weights.rows, 0));
    vector_cycles.resize(inputs.size(), 0);
    for (const core::PeBlock& blk : core::plan_mapping(hw, weights.cols, weights.rows).pe_blocks) {
        core::IntMatrix block(blk.outputs, blk.inputs);
        for (size_t o = 0; o < blk.outputs; ++o)
            for (size_t i = 0; i < blk.inputs; ++i) block.at(o, i) = weights.at(blk.first_output + o, blk.first_input + i);
        pe.program(block);
        for (size_t v = 0; v < inputs.size(); ++v) {
            const auto first = inputs[v].begin() + static_cast<long>(blk.first_input);
            const std::vector<uint32_t> xb(first, first + static_cast<long>(blk.inputs));
            uint64_t cycles = 0;
            const auto y = pe.run(xb, counters, &cycles);
            for (size_t o = 0; o < blk.outputs; ++o) outputs[v][blk.first_output + o] += y[o];
            vector_cycles[v] = std::max(vector_cycles[v], cycles);
            simulated += cycles;
        }
    }
}

void refuse_faults_at_cycle_level(const core::HwConfig& hw) {
    if (hw.faults.active())
        throw InputError("cycle level: device faults are modelled at the golden and tlm levels; drop \"faults\" "
                         "from the configuration or use --level golden|tlm");
}

CycleRun run_mvm_cycle(const core::HwConfig& hw, const core::Technology& tech, const core::IntMatrix& weights,
                       const std::vector<std::vector<uint32_t>>& inputs, const TraceOptions& trace) {
    refuse_faults_at_cycle_level(hw);
    CycleRun run;
    run.report.counters = core::make_counters(hw);
    if (trace.enabled()) CycleWaves::select_adcs(trace, hw);  // refused before elaboration
    CycleWaves waves(trace);
    CycleSystem system("system", hw, tech, weights, inputs, run);
    waves.start(system.pe, hw);
    bitcim::simulate();
    for (SarAdcRtl& adc : system.pe.adcs) adc.final();
    waves.close();
    run.waveforms = waves.note();
    run.clock_period_ns = tech.sar_bit_time_ns;
    run.report.energy = core::energy_of(run.report.counters, hw, tech);
    run.report.latency_ns = static_cast<double>(run.cycles) * tech.sar_bit_time_ns;
    return run;
}

}  // namespace bitcim

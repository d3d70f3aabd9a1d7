#include "cycle/cycle_network.h"

#include "core/errors.h"
#include "cycle/cycle_system.h"
#include "cycle/cycle_waves.h"
#include "cycle/pe_cycle.h"
#include "sim/simulation.h"

namespace bitcim {

namespace {

struct CycleNetworkSystem : sc_core::sc_module {
    CyclePe pe;
    sc_core::sc_signal<uint32_t> layer{"layer"};  ///< the layer whose blocks run
    const core::Network& net;
    const core::Technology& tech;
    const std::vector<std::vector<uint8_t>>& images;
    const core::NetworkRunOptions& opt;
    core::NetworkRun& out;
    uint64_t simulated_cycles = 0;

    CycleNetworkSystem(const sc_core::sc_module_name& n, const core::Network& network, const core::Technology& t,
                       const std::vector<std::vector<uint8_t>>& imgs, const core::NetworkRunOptions& options,
                       core::NetworkRun& result)
        : sc_module(n), pe("pe", network.config(0), t), net(network), tech(t), images(imgs), opt(options),
          out(result) {
        SC_HAS_PROCESS(CycleNetworkSystem);
        SC_THREAD(sequence);
    }

    void sequence() {
        pe.reset();
        auto backend = [this](size_t li, const std::vector<std::vector<uint32_t>>& inputs, core::LayerStats& stats) {
            std::vector<std::vector<int64_t>> outputs(inputs.size(), std::vector<int64_t>(net.weights(li).rows, 0));
            layer.write(static_cast<uint32_t>(li));
            std::vector<uint64_t> vector_cycles;  // mapped blocks are parallel PEs: the slowest counts
            for (const core::MappedBlock& b : net.blocks(li)) {
                std::vector<std::vector<uint32_t>> gathered;
                for (const auto& x : inputs) gathered.push_back(b.gather(x));
                std::vector<std::vector<int64_t>> part;
                run_layer_blocks(pe, net.config(li), b.weights, gathered, stats.counters, part, vector_cycles,
                                 simulated_cycles);
                for (size_t v = 0; v < part.size(); ++v) b.scatter(part[v], outputs[v]);
            }
            for (uint64_t c : vector_cycles) stats.latency_ns += static_cast<double>(c) * tech.sar_bit_time_ns;
            return outputs;
        };
        core::run_batches(net, images, opt, backend, out);
        sc_core::sc_stop();
    }
};

}  // namespace

void CycleLevel::require_runnable(const core::Network& net) const {
    refuse_faults_at_cycle_level(net.config(0));
    net.require_one_format(name(), true);
}

core::NetworkRun CycleLevel::do_run_network(const core::Network& net, const core::Technology& tech,
                                            const std::vector<std::vector<uint8_t>>& images,
                                            const core::NetworkRunOptions& opt) const {
    core::NetworkRun run;
    if (m_trace.enabled()) CycleWaves::select_adcs(m_trace, net.config(0));  // refused before elaboration
    CycleWaves waves(m_trace);
    core::NetworkRunOptions options = opt;
    options.window_first = m_trace.first_image;
    options.window_last = m_trace.last_image;
    options.window = [&waves](bool inside) { waves.set_recording(inside); };
    CycleNetworkSystem system("system", net, tech, images, options, run);
    if (sc_core::sc_trace_file* tf = waves.systemc_file()) sc_core::sc_trace(tf, system.layer, system.layer.name());
    waves.start(system.pe, net.config(0));
    bitcim::simulate();
    for (SarAdcRtl& adc : system.pe.adcs) adc.final();
    waves.close();
    core::CycleCounts cycle;
    cycle.simulated_cycles = system.simulated_cycles;
    cycle.clock_period_ns = tech.sar_bit_time_ns;
    run.extras.cycle = cycle;
    run.extras.waveforms = waves.note();
    return run;
}

core::MvmRun CycleLevel::run_mvm(const core::BitSlicedLayer& layer, const core::IntMatrix& weights,
                                 const std::vector<std::vector<uint32_t>>& inputs, const core::Technology& tech) const {
    const CycleRun run = run_mvm_cycle(layer.config(), tech, weights, inputs, m_trace);
    core::MvmRun out{run.report, {}};
    out.extras.cycle = core::CycleCounts{run.cycles, run.simulated_cycles, run.clock_period_ns};
    out.extras.waveforms = run.waveforms;
    return out;
}

}  // namespace bitcim

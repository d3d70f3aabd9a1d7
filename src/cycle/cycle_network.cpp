#include "cycle/cycle_network.h"

#include "core/errors.h"
#include "cycle/cycle_system.h"
#include "cycle/dual_vcd.h"
#include "cycle/pe_cycle.h"
#include "sim/simulation.h"

namespace bitcim {

namespace {

struct CycleNetworkSystem : sc_core::sc_module {
    CyclePe pe;
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

std::string waveforms_note(const std::string& prefix) {
    return "waveforms: " + prefix + "_sc.vcd (SystemC) and " + prefix + "_rtl.vcd (RTL of ADC 0)";
}

}  // namespace

void CycleLevel::require_runnable(const core::Network& net) const {
    refuse_faults_at_cycle_level(net.config(0));
    net.require_one_format(name(), true);
}

core::NetworkRun CycleLevel::do_run_network(const core::Network& net, const core::Technology& tech,
                                            const std::vector<std::vector<uint8_t>>& images,
                                            const core::NetworkRunOptions& opt) const {
    core::NetworkRun run;
    const std::string prefix = vcd_prefix(m_trace);
    DualVcd vcd(prefix);
    CycleNetworkSystem system("system", net, tech, images, opt, run);
    if (vcd.enabled()) system.pe.trace(vcd.systemc_file());
    vcd.start([&system](VerilatedVcdSc* rtl) { system.pe.adcs[0].trace(rtl, kRtlTraceLevels); });
    bitcim::simulate();
    for (SarAdcRtl& adc : system.pe.adcs) adc.final();
    vcd.close();
    core::CycleCounts cycle;
    cycle.simulated_cycles = system.simulated_cycles;
    cycle.clock_period_ns = tech.sar_bit_time_ns;
    run.extras.cycle = cycle;
    if (!prefix.empty()) run.extras.waveforms = waveforms_note(prefix);
    return run;
}

core::MvmRun CycleLevel::run_mvm(const core::BitSlicedLayer& layer, const core::IntMatrix& weights,
                                 const std::vector<std::vector<uint32_t>>& inputs, const core::Technology& tech) const {
    const std::string prefix = vcd_prefix(m_trace);
    const CycleRun run = run_mvm_cycle(layer.config(), tech, weights, inputs, prefix);
    core::MvmRun out{run.report, {}};
    out.extras.cycle = core::CycleCounts{run.cycles, run.simulated_cycles, run.clock_period_ns};
    if (!prefix.empty()) out.extras.waveforms = waveforms_note(prefix);
    return out;
}

}  // namespace bitcim

#include "cycle/cycle_network.h"
#include "sim/simulation.h"

#include <algorithm>

#include "cycle/cycle_system.h"
#include "cycle/dual_vcd.h"
#include "core/errors.h"
#include "cycle/pe_cycle.h"

namespace bitcim {

namespace {

struct CycleNetworkSystem : sc_core::sc_module {
    CyclePe pe;
    const core::Network& net;
    const core::Technology& tech;
    const std::vector<std::vector<uint8_t>>& images;
    size_t batch_images;
    const std::function<void(size_t)>& progress;
    CycleNetworkRun& out;

    CycleNetworkSystem(const sc_core::sc_module_name& n, const core::Network& network, const core::Technology& t,
                       const std::vector<std::vector<uint8_t>>& imgs, size_t batch,
                       const std::function<void(size_t)>& prog, CycleNetworkRun& result)
        : sc_module(n), pe("pe", network.config(0), t), net(network), tech(t), images(imgs),
          batch_images(batch), progress(prog), out(result) {
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
                                 out.simulated_cycles);
                for (size_t v = 0; v < part.size(); ++v) b.scatter(part[v], outputs[v]);
            }
            for (uint64_t c : vector_cycles) stats.latency_ns += static_cast<double>(c) * tech.sar_bit_time_ns;
            return outputs;
        };
        for (size_t i = 0; i < images.size(); i += batch_images) {
            const std::vector<std::vector<uint8_t>> batch(
                images.begin() + static_cast<long>(i),
                images.begin() + static_cast<long>(std::min(images.size(), i + batch_images)));
            const auto logits = net.infer_batch(batch, backend, out.stats);
            out.logits.insert(out.logits.end(), logits.begin(), logits.end());
            progress(out.logits.size());
        }
        sc_core::sc_stop();
    }
};

}  // namespace

CycleNetworkRun run_network_cycle(const core::Network& net, const core::Technology& tech,
                                  const std::vector<std::vector<uint8_t>>& images, size_t batch_images,
                                  const std::function<void(size_t)>& progress, const std::string& trace_prefix) {
    const core::HwConfig& first = net.config(0);
    refuse_faults_at_cycle_level(first);
    net.require_one_format("cycle", true);
    CycleNetworkRun run;
    run.stats = net.make_stats();
    DualVcd vcd(trace_prefix);
    CycleNetworkSystem system("system", net, tech, images, batch_images, progress, run);
    if (vcd.enabled()) system.pe.trace(vcd.systemc_file());
    vcd.start([&system](VerilatedVcdSc* rtl) { system.pe.adcs[0].trace(rtl, kRtlTraceLevels); });
    bitcim::simulate();
    for (SarAdcRtl& adc : system.pe.adcs) adc.final();
    vcd.close();
    return run;
}

}  // namespace bitcim

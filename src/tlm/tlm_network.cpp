#include "tlm/tlm_network.h"
#include "sim/simulation.h"

#include <algorithm>

#include "sim/trace.h"
#include "core/errors.h"
#include "tlm/regmap.h"

namespace bitcim {

namespace {
constexpr size_t kVectorsPerRun = 4096;  // input vectors per START: sizes the chip's buffers
}  // namespace

ChipParams network_chip_params(const core::Network& net) {
    return chip_params_for(net.config(0), net.max_block_rows(), net.max_block_outputs(), kVectorsPerRun);
}

TlmNetworkRun run_network_tlm(const core::Network& net,
                              const core::Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                              size_t batch_images, const std::function<void(size_t)>& progress, bool adc_codes,
                              const std::string& trace_path) {
    net.require_one_format("tlm", false);
    set_global_quantum();
    TlmNetworkRun run;
    run.stats = net.make_stats(adc_codes);
    ChipParams params = network_chip_params(net);
    params.adc_code_histograms = adc_codes;
    TlmSystem* system_ptr = nullptr;
    TlmSystem system("system", params, tech, [&](HostInitiator& host) {
        const Chip& chip = system_ptr->chip;
        // The host programs and runs a layer's mapped blocks one after another.
        auto backend = [&](size_t li, const std::vector<std::vector<uint32_t>>& inputs, core::LayerStats& stats) {
            std::vector<std::vector<int64_t>> out(inputs.size(), std::vector<int64_t>(net.weights(li).rows, 0));
            const uint64_t epoch = stats.vectors;
            for (const core::MappedBlock& b : net.blocks(li)) {
                host.write32(regmap::CTRL, regmap::CTRL_CLEAR_COUNTERS);
                if (host.program_layer(b.weights, b.tag) != regmap::ERR_NONE)
                    throw InputError("tlm: the chip refused layer \"" + net.desc(li).name + "\"");
                // The layer's noise stream continues where its last batch ended, as golden's does.
                host.write32(regmap::NOISE_EPOCH_LO, static_cast<uint32_t>(epoch));
                host.write32(regmap::NOISE_EPOCH_HI, static_cast<uint32_t>(epoch >> 32));
                std::vector<std::vector<int64_t>> part;
                for (size_t i = 0; i < inputs.size(); i += kVectorsPerRun) {
                    std::vector<std::vector<uint32_t>> chunk;
                    for (size_t v = i; v < std::min(inputs.size(), i + kVectorsPerRun); ++v)
                        chunk.push_back(b.gather(inputs[v]));
                    if (host.run_batch(chunk, b.outputs.size(), part) != regmap::ERR_NONE)
                        throw InputError("tlm: the chip refused inputs of layer \"" + net.desc(li).name + "\"");
                    for (size_t v = 0; v < part.size(); ++v) b.scatter(part[v], out[i + v]);
                }
                stats.counters.add(chip.counters());
                stats.latency_ns += chip.busy_time().to_seconds() * 1e9;
            }
            return out;
        };
        for (size_t i = 0; i < images.size(); i += batch_images) {
            const std::vector<std::vector<uint8_t>> batch(
                images.begin() + static_cast<long>(i),
                images.begin() + static_cast<long>(std::min(images.size(), i + batch_images)));
            auto logits = net.infer_batch(batch, backend, run.stats);
            run.logits.insert(run.logits.end(), logits.begin(), logits.end());
            progress(run.logits.size());
        }
    });
    system_ptr = &system;
    sc_core::sc_trace_file* tf =
        trace_path.empty() ? nullptr : sc_core::sc_create_vcd_trace_file(vcd_prefix(trace_path).c_str());
    if (tf) system.chip.trace(tf);
    bitcim::simulate();
    if (tf) sc_core::sc_close_vcd_trace_file(tf);
    run.area = system.chip.area();
    return run;
}

}  // namespace bitcim

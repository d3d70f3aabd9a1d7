#include "tlm/tlm_network.h"

#include <algorithm>
#include <memory>

#include "core/errors.h"
#include "sim/simulation.h"
#include "sim/trace.h"
#include "tlm/pipeline.h"
#include "tlm/regmap.h"
#include "tlm/tlm_waves.h"

namespace bitcim {

namespace {

// Input vectors per START. The simulator's batching only: the chip elaborated here is
// the vehicle of the layers' MVMs (sized for the largest block, its windows for one
// START), not the configured chip, whose area, timing and energy the reports give.
constexpr size_t kVectorsPerRun = 4096;

ChipParams network_chip_params(const core::Network& net) {
    return chip_params_for(net.config(0), net.max_block_rows(), net.max_block_outputs(), kVectorsPerRun);
}

// The chip's weight window holds int16 words (regmap.h WEIGHTS_BASE): a weight
// outside that range would be narrowed on the bus, so it is refused instead.
void require_weight_window(const core::IntMatrix& w, const std::string& where) {
    for (size_t i = 0; i < w.data.size(); ++i)
        if (w.data[i] < INT16_MIN || w.data[i] > INT16_MAX)
            throw InputError(where + ": weight " + std::to_string(w.data[i]) + " (output " + std::to_string(i / w.cols) +
                             ", row " + std::to_string(i % w.cols) +
                             ") does not fit the chip's 16-bit weight window; the tlm level models int16 weight "
                             "words (use --level golden for wider weights)");
}

}  // namespace

void TlmLevel::require_runnable(const core::Network& net) const {
    net.require_one_format(name(), false);
    for (size_t i = 0; i < net.layers(); ++i) require_weight_window(net.weights(i), "tlm: layer \"" + net.desc(i).name + "\"");
}

core::NetworkRun TlmLevel::do_run_network(const core::Network& net, const core::Technology& tech,
                                          const std::vector<std::vector<uint8_t>>& images,
                                          const core::NetworkRunOptions& opt) const {
    set_global_quantum();
    core::NetworkRun run;
    std::unique_ptr<TlmWaves> waves;
    core::NetworkRunOptions options = opt;
    options.window_first = m_trace.first_image;
    options.window_last = m_trace.last_image;
    options.window_batches = true;  // a batch's images share each START: its latency depends on them
    HostInitiator* host_ptr = nullptr;
    // The host runs ahead of the kernel: it catches up first, so the window starts and
    // ends at the host's time (the kernel's is what the trace samples).
    options.window = [&waves, &host_ptr](bool inside) {
        host_ptr->idle(sc_core::SC_ZERO_TIME);
        waves->set_recording(inside);
    };
    ChipParams params = network_chip_params(net);
    params.adc_code_histograms = opt.adc_codes;
    params.busy_lines = m_trace.enabled();  // the vehicle chip's lines: only waveforms look at them
    TlmSystem* system_ptr = nullptr;
    TlmSystem system("system", params, tech, [&](HostInitiator& host) {
        const Chip& chip = system_ptr->chip;
        host_ptr = &host;
        // The host programs and runs a layer's mapped blocks one after another.
        std::vector<uint16_t> words;  // reused by every layer's runs
        std::vector<int64_t> flat;
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
                // The block's inputs straight into the input window's words, its outputs
                // straight from the output window's: no vector per input.
                const size_t rows = b.rows.size(), m = b.outputs.size();
                for (size_t i = 0; i < inputs.size(); i += kVectorsPerRun) {
                    const size_t n = std::min(inputs.size() - i, kVectorsPerRun);
                    words.resize(n * rows);
                    for (size_t v = 0; v < n; ++v) {
                        const std::vector<uint32_t>& x = inputs[i + v];
                        uint16_t* w = &words[v * rows];
                        if (b.whole) {
                            for (size_t r = 0; r < rows; ++r) w[r] = static_cast<uint16_t>(x[r]);
                        } else {
                            for (size_t r = 0; r < rows; ++r) w[r] = static_cast<uint16_t>(x[b.rows[r]]);
                        }
                    }
                    if (host.run_batch(words, n, m, flat) != regmap::ERR_NONE)
                        throw InputError("tlm: the chip refused inputs of layer \"" + net.desc(li).name + "\"");
                    for (size_t v = 0; v < n; ++v) {
                        std::vector<int64_t>& acc = out[i + v];
                        const int64_t* y = &flat[v * m];
                        for (size_t o = 0; o < m; ++o) acc[b.outputs[o]] += y[o];
                    }
                }
                stats.counters.add(chip.counters());
                stats.latency_ns += chip.busy_time().to_seconds() * 1e9;
            }
            return out;
        };
        core::run_batches(net, images, options, backend, run);
    });
    system_ptr = &system;
    // The configured chip's layer pipeline, simulated beside the MVMs' vehicle.
    std::unique_ptr<ChipPipeline> pipeline;
    if (opt.chip_mapping) pipeline = std::make_unique<ChipPipeline>("pipeline", *opt.chip_mapping);
    waves = std::make_unique<TlmWaves>(m_trace, system.chip);
    bitcim::simulate();
    waves->close();
    run.extras.waveforms = waves->note();
    if (pipeline) run.extras.chip_timing = pipeline->measured();
    return run;
}

core::MvmRun TlmLevel::run_mvm(const core::BitSlicedLayer& layer, const core::IntMatrix& weights,
                               const std::vector<std::vector<uint32_t>>& inputs, const core::Technology& tech) const {
    require_weight_window(weights, "tlm");
    const TlmRun run = run_mvm_tlm(layer.config(), tech, weights, inputs, m_trace);
    if (run.error != regmap::ERR_NONE)
        throw InputError("mvm: the chip refused the layer with error code " + std::to_string(run.error));
    core::MvmRun out{run.report, {}};
    out.extras.waveforms = run.waveforms;
    return out;
}

}  // namespace bitcim

#include "core/mvm_report.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/parallel.h"

namespace bitcim::core {

MvmReport run_golden(const BitSlicedLayer& layer, const std::vector<std::vector<uint32_t>>& inputs,
                     const Technology& tech, unsigned threads) {
    MvmReport r;
    r.counters = layer.make_counters();
    r.outputs.resize(inputs.size());
    // Chunks of vectors: several per thread, so a slow one does not hold the others.
    const size_t chunk = std::max<size_t>(1, inputs.size() / (size_t{std::max(threads, 1u)} * 8));
    const size_t chunks = (inputs.size() + chunk - 1) / chunk;
    std::vector<MvmCounters> counters(chunks);
    ordered_parallel(
        chunks, threads,
        [&](size_t c) {
            counters[c] = layer.make_counters();
            for (size_t v = c * chunk; v < std::min(inputs.size(), (c + 1) * chunk); ++v)
                r.outputs[v] = layer.run(inputs[v], counters[c], v);
        },
        [&](size_t c) {
            r.counters.add(counters[c]);
            counters[c] = MvmCounters();
        });
    r.energy = energy_of(r.counters, layer.config(), tech);
    r.latency_ns = layer.latency_ns(tech) * static_cast<double>(inputs.size());
    return r;
}

nlohmann::json to_json(const MvmReport& r, const BitSlicedLayer& layer) {
    nlohmann::json groups = nlohmann::json::array();
    for (const ColumnGroup& g : layer.mapping().column_groups)
        groups.push_back({{"name", g.name}, {"adc_bits", layer.config().adc_bits[g.adc_group]},
                          {"crossbars", g.crossbars}, {"adcs_per_crossbar", g.adcs_per_xbar}});
    // One layer's MVMs: the chip's buffers, weight writing and control belong to a network
    // run on the configured chip (bitcim run), not to these.
    nlohmann::json energy = to_json(r.energy);
    for (const char* chip_only : {"buffers", "programming", "control"}) energy.erase(chip_only);
    return {{"output", r.outputs},
            {"adc_conversions", r.counters.adc_conversions},
            {"adc_saturations", r.counters.adc_saturations},
            {"energy_pj", energy},
            {"latency_ns", r.latency_ns},
            {"crossbars", layer.mapping().crossbars},
            {"crossbar_reads", r.counters.crossbar_reads},
            {"cell_reads", r.counters.cell_reads},
            {"shift_adds", r.counters.shift_adds},
            {"cells_by_value", layer.cells_by_value()},
            {"column_groups", groups}};
}

}  // namespace bitcim::core

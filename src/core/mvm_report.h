// A batch of MVMs through one layer and its report: the result every fidelity
// level produces for `bitcim mvm`, compared key for key by the regressions.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/crossbar_layer.h"
#include "core/energy.h"
#include "core/technology.h"

namespace bitcim::core {

struct MvmReport {
    std::vector<std::vector<int64_t>> outputs;
    MvmCounters counters;
    EnergyReport energy;
    double latency_ns = 0;
};

/// Runs every input vector through `layer` with the golden model, split over up to
/// `threads` threads; the report is the same for every thread count (vector v is the
/// v-th of the noise stream whichever thread runs it; counters are added in order).
MvmReport run_golden(const BitSlicedLayer& layer, const std::vector<std::vector<uint32_t>>& inputs,
                     const Technology& tech, unsigned threads = 1);

/// `output`, `adc_conversions`, `adc_saturations` (MSB first), `energy_pj`,
/// `latency_ns`, plus `crossbars`, `crossbar_reads` and `cells_by_value`.
nlohmann::json to_json(const MvmReport& report, const BitSlicedLayer& layer);

}  // namespace bitcim::core

// A whole network at the cycle level: every layer's blocks through one CyclePe
// (Verilated SAR ADC controllers at the SAR bit clock), the digital periphery
// between layers from core::Network, so predictions equal the golden level's.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "network/network.h"
#include "core/technology.h"

namespace bitcim {

struct CycleNetworkRun {
    std::vector<std::vector<float>> logits;
    std::vector<core::LayerStats> stats;  ///< latency_ns: per vector the slowest block's cycles
    uint64_t simulated_cycles = 0;
};

/// Elaborates once per process. Every layer must share the first layer's number
/// format (one PE type). With `trace_prefix`, writes PREFIX_sc.vcd and PREFIX_rtl.vcd
/// (ADC 0's RTL) over the whole run.
CycleNetworkRun run_network_cycle(const core::Network& net, const core::Technology& tech,
                                  const std::vector<std::vector<uint8_t>>& images, size_t batch_images,
                                  const std::function<void(size_t)>& progress, const std::string& trace_prefix);

}  // namespace bitcim

// A whole network through the TLM chip: the host programs one layer at a time
// and streams every input vector of a batch of images through it; the digital
// periphery between layers (rescale, activation, pooling, requantization) is
// core::Network's, so results equal the golden level image for image.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "network/network.h"
#include "core/technology.h"
#include "tlm/tlm_system.h"

namespace bitcim {

struct TlmNetworkRun {
    std::vector<std::vector<float>> logits;
    std::vector<core::LayerStats> stats;
    AreaReport area;
};

/// The chip the network runs on: sized for its largest mapped block, formats of its first layer.
ChipParams network_chip_params(const core::Network& net);

/// Elaborates the chip of network_chip_params; runs `images` in
/// batches of `batch_images`, calling `progress(done)` after each batch. Once per process.
/// `adc_codes`: the chip also counts conversions by ADC code. `trace_path`: the
/// chip's waveforms over the whole run (a .vcd).
TlmNetworkRun run_network_tlm(const core::Network& net,
                              const core::Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                              size_t batch_images, const std::function<void(size_t)>& progress,
                              bool adc_codes = false, const std::string& trace_path = "");

}  // namespace bitcim

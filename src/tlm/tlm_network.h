// The tlm level: a whole network through the TLM chip (the host programs one
// layer at a time and streams every input vector of a batch of images through
// it; the digital periphery between layers, rescale, activation, pooling,
// requantization, is core::Network's, so results equal the golden level image
// for image), and one layer through a chip sized for it.
#pragma once

#include <string>

#include "network/level.h"
#include "network/network.h"
#include "sim/trace.h"
#include "tlm/tlm_system.h"

namespace bitcim {

class TlmLevel : public core::Level {
public:
    /// `trace`: the chip's waveforms and bus log (TlmWaves); a disabled one for none.
    explicit TlmLevel(TraceOptions trace = {}) : m_trace(std::move(trace)) {}

    core::LevelKind kind() const override { return core::LevelKind::Tlm; }
    bool has_time() const override { return true; }
    bool supports_adc_histograms() const override { return true; }
    /// One chip type per run: every layer in the first layer's number format.
    void require_runnable(const core::Network& net) const override;
    /// run_mvm_tlm. Throws InputError if the chip refuses the layer.
    core::MvmRun run_mvm(const core::BitSlicedLayer& layer, const core::IntMatrix& weights,
                         const std::vector<std::vector<uint32_t>>& inputs, const core::Technology& tech) const override;

protected:
    /// Elaborates the chip of network_chip_params: the simulator's vehicle for the layers'
    /// MVMs (sized for the largest block; its buffers hold one START's vectors).
    core::NetworkRun do_run_network(const core::Network& net, const core::Technology& tech,
                                    const std::vector<std::vector<uint8_t>>& images,
                                    const core::NetworkRunOptions& opt) const override;

private:
    TraceOptions m_trace;
};

}  // namespace bitcim

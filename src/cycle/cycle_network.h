// The cycle level: a whole network with every layer's blocks through one
// CyclePe (Verilated SAR ADC controllers at the SAR bit clock) and the digital
// periphery between layers from core::Network, so predictions equal the golden
// level's; and one layer through run_mvm_cycle.
#pragma once

#include <string>

#include "network/level.h"
#include "network/network.h"
#include "sim/trace.h"

namespace bitcim {

class CycleLevel : public core::Level {
public:
    /// `trace`: waveforms (CycleWaves): FILE.fst, or PREFIX_sc.vcd and PREFIX_rtl.vcd for
    /// FILE.vcd, PREFIX the path without ".vcd"; a disabled one for none.
    explicit CycleLevel(TraceOptions trace = {}) : m_trace(std::move(trace)) {}

    core::LevelKind kind() const override { return core::LevelKind::Cycle; }
    bool has_time() const override { return true; }
    bool supports_adc_histograms() const override { return false; }
    /// No device faults; one PE type: every layer in the first layer's number format and ADCs.
    void require_runnable(const core::Network& net) const override;
    /// run_mvm_cycle; extras: the clock counts.
    core::MvmRun run_mvm(const core::BitSlicedLayer& layer, const core::IntMatrix& weights,
                         const std::vector<std::vector<uint32_t>>& inputs, const core::Technology& tech) const override;

protected:
    /// Elaborates once per process; LayerStats::latency_ns: per vector the slowest
    /// block's cycles. Extras: the clock counts.
    core::NetworkRun do_run_network(const core::Network& net, const core::Technology& tech,
                                    const std::vector<std::vector<uint8_t>>& images,
                                    const core::NetworkRunOptions& opt) const override;

private:
    TraceOptions m_trace;
};

}  // namespace bitcim

// The cycle level: a whole network with every layer's blocks through one
// CyclePe (Verilated SAR ADC controllers at the SAR bit clock) and the digital
// periphery between layers from core::Network, so predictions equal the golden
// level's; and one layer through run_mvm_cycle.
#pragma once

#include <string>

#include "network/level.h"
#include "network/network.h"

namespace bitcim {

class CycleLevel : public core::Level {
public:
    /// `trace_path`: with a path, writes PREFIX_sc.vcd and PREFIX_rtl.vcd (ADC 0's
    /// RTL) over the whole run, PREFIX the path without ".vcd"; "" for none.
    explicit CycleLevel(std::string trace_path = "") : m_trace(std::move(trace_path)) {}

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
    std::string m_trace;
};

}  // namespace bitcim

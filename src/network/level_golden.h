// The golden level: the bit-exact kernels, no time, no chip.
#pragma once

#include "network/level.h"

namespace bitcim::core {

class GoldenLevel : public Level {
public:
    LevelKind kind() const override { return LevelKind::Golden; }
    bool has_time() const override { return false; }
    bool supports_adc_histograms() const override { return true; }
    MvmRun run_mvm(const BitSlicedLayer& layer, const IntMatrix& weights, const std::vector<std::vector<uint32_t>>& inputs,
                   const Technology& tech) const override;

protected:
    NetworkRun do_run_network(const Network& net, const Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                              const NetworkRunOptions& opt) const override;
};

}  // namespace bitcim::core

// The golden level: the bit-exact kernels, no time, no chip.
#pragma once

#include "network/level.h"

namespace bitcim::core {

class GoldenLevel : public Level {
public:
    /// `threads`: how many threads run the kernels (images, or an MVM's vectors, split
    /// between them); the results are the same for every count.
    explicit GoldenLevel(unsigned threads = 1) : m_threads(threads) {}
    LevelKind kind() const override { return LevelKind::Golden; }
    bool has_time() const override { return false; }
    bool supports_adc_histograms() const override { return true; }
    MvmRun run_mvm(const BitSlicedLayer& layer, const IntMatrix& weights, const std::vector<std::vector<uint32_t>>& inputs,
                   const Technology& tech) const override;

protected:
    NetworkRun do_run_network(const Network& net, const Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                              const NetworkRunOptions& opt) const override;

private:
    unsigned m_threads;
};

}  // namespace bitcim::core

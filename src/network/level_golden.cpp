#include "network/level_golden.h"

namespace bitcim::core {

MvmRun GoldenLevel::run_mvm(const BitSlicedLayer& layer, const IntMatrix& weights,
                            const std::vector<std::vector<uint32_t>>& inputs, const Technology& tech) const {
    (void)weights;  // `layer` holds them mapped
    return {run_golden(layer, inputs, tech, m_threads), {}};
}

NetworkRun GoldenLevel::do_run_network(const Network& net, const Technology& tech,
                                       const std::vector<std::vector<uint8_t>>& images,
                                       const NetworkRunOptions& opt) const {
    (void)tech;  // the network's layers hold their latency already
    NetworkRun run;
    run_batches_parallel(net, images, opt, net.golden_backend(), m_threads, run);
    return run;
}

}  // namespace bitcim::core

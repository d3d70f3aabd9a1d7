// A whole network from a weight file: its graph (weights/FORMAT.md, version 2)
// run node by node over a batch of images. Crossbar nodes do their MVMs through
// a backend (the fidelity level: golden kernels, a chip over TLM, the cycle-level
// PE) and rescale the accumulators (acc * weight_step * input_scale * scale + bias,
// float32 result); every other node is digital periphery (network/periphery.h),
// the same at every level. The same steps, in the same floating-point order, as
// the Python twin (models/bitcim/hw/network.py).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/crossbar_layer.h"
#include "core/energy.h"
#include "core/hw_config.h"
#include "core/technology.h"
#include "io/weight_file.h"

namespace bitcim::core {

/// Event counts of one layer over every image run through it.
struct LayerStats {
    std::string name;
    MvmCounters counters;
    /// Input vectors the layer processed, counted once per vector by infer_batch
    /// whatever the number of blocks; also the next vector's noise epoch.
    uint64_t vectors = 0;
    double latency_ns = 0;
};

/// Element operations and time of one node's digital periphery over every image
/// (crossbar nodes: the rescale of their accumulators).
struct PeripheryStats {
    std::string name;
    std::string op;
    PeripheryOps ops;
    double latency_ns = 0;
};

/// A part of a layer mapped onto crossbars on its own: some of the layer's rows
/// (inputs) and outputs. Dense mapping has one block holding everything.
struct MappedBlock {
    std::vector<uint32_t> rows;     ///< layer inputs on its crossbar rows, in order
    std::vector<uint32_t> outputs;  ///< logical layer outputs on its columns, in order
    bool whole = false;             ///< rows and outputs are the whole layer in order (no gather)
    IntMatrix weights;              ///< outputs x rows
    std::unique_ptr<BitSlicedLayer> xbar;
    uint32_t tag = 0;               ///< key of its device-fault draws: layer + (block << 16)

    /// The block's input vector from a layer input vector.
    std::vector<uint32_t> gather(const std::vector<uint32_t>& x) const;
    /// Adds the block's outputs into the layer's accumulators.
    void scatter(const std::vector<int64_t>& y, std::vector<int64_t>& acc) const;
};

/// Computes one layer's crossbar accumulators for a batch of input vectors and
/// adds the events and time to `stats`: how a fidelity level (network/level.h)
/// does a layer's MVMs, the golden kernels, a chip over TLM or the cycle-level PE.
using MvmBackend = std::function<std::vector<std::vector<int64_t>>(
    size_t layer, const std::vector<std::vector<uint32_t>>& inputs, LayerStats& stats)>;

class Network {
public:
    /// `base` gives the crossbar geometry and ADCs; each layer's weight bits, sign,
    /// input bits and the file's cell bits override it. Throws InputError if a
    /// layer does not fit the configuration or the shapes do not chain.
    /// `cell_bits` other than 0 re-slices the same integer weights into other cells.
    Network(const WeightFile& file, const HwConfig& base, const Technology& tech, unsigned cell_bits = 0);

    size_t layers() const { return m_layers.size(); }
    const std::vector<unsigned>& input_shape() const { return m_input_shape; }
    /// The graph, in the order it runs, and the node whose output is the logits.
    const std::vector<NodeDesc>& nodes() const { return m_nodes; }
    size_t output_node() const { return m_output; }
    /// Logits for a batch of images, node by node, the MVMs done by `mvm`;
    /// events and time added to `stats` (per layer) and `periphery` (per node).
    std::vector<std::vector<float>> infer_batch(const std::vector<std::vector<uint8_t>>& images,
                                                const MvmBackend& mvm, std::vector<LayerStats>& stats,
                                                std::vector<PeripheryStats>& periphery) const;
    /// The golden kernels as a backend.
    MvmBackend golden_backend() const;
    const LayerDesc& desc(size_t i) const { return m_layers[i].desc; }
    /// Layer i's weights as mapped: rows = outputs, columns = crossbar rows.
    const IntMatrix& weights(size_t i) const { return m_layers[i].weights; }
    /// Zeroed per-layer stats; with `adc_codes`, ADC code histograms are collected too.
    std::vector<LayerStats> make_stats(bool adc_codes = false) const;
    /// Memory the network holds whatever the batch (weights and packed crossbar
    /// state, estimated), and the most one image's tensors need at once while it
    /// runs (activations, im2col vectors, accumulators), with the node that needs it.
    uint64_t state_bytes() const { return m_state_bytes; }
    uint64_t bytes_per_image() const { return m_bytes_per_image; }
    const std::string& peak_node() const { return m_peak_node; }
    /// Zeroed per-node periphery stats (every node but the input).
    std::vector<PeripheryStats> make_periphery_stats() const;
    /// Weight positions of layer i (outputs x rows over groups) and the weight
    /// matrix its blocks map (sum of rows x outputs): their ratio is how much of the
    /// mapped matrix a grouped convolution's block-diagonal zeros leave in use.
    uint64_t weight_positions(size_t i) const { return m_layers[i].desc.weight_positions(); }
    uint64_t mapped_weights(size_t i) const;
    uint64_t mapped_positions(size_t i) const { return m_layers[i].mapped_positions; }
    /// Layer i's crossbar configuration (every block shares it).
    const HwConfig& config(size_t i) const { return m_layers[i].config; }
    const std::vector<MappedBlock>& blocks(size_t i) const { return m_layers[i].blocks; }
    /// Crossbar input vectors of layer i per image: its output positions (conv) or 1.
    size_t vectors_per_image(size_t i) const { return m_layers[i].positions; }
    /// Time of one MVM of layer i: its slowest block's (blocks are parallel crossbars).
    double latency_per_mvm_ns(size_t i) const { return m_layers[i].latency_per_mvm_ns; }
    /// Crossbars of layer i over its blocks, and its cells' device faults.
    unsigned crossbars(size_t i) const;
    /// Non-zero cells of each of those crossbars over its cells, block after block, as mapped
    /// (the column map's order; compact mapping's rows), so a mapping shows in it.
    std::vector<double> crossbar_utilization(size_t i) const;
    FaultCounts fault_counts(size_t i) const;
    /// Rows and outputs of the largest block over every layer (sizes a chip).
    size_t max_block_rows() const;
    size_t max_block_outputs() const;
    /// Throws InputError naming the first layer whose number format (and, with
    /// `same_adcs`, ADC list) differs from the first layer's: `level` models one chip type.
    void require_one_format(const std::string& level, bool same_adcs) const;

private:
    struct Layer {
        LayerDesc desc;
        IntMatrix weights;
        HwConfig config;
        std::vector<MappedBlock> blocks;
        std::vector<double> bias, scale;  ///< per output; empty = 0 and 1
        unsigned in_c = 0, in_h = 0, in_w = 0;  ///< input shape (conv)
        size_t positions = 1;                    ///< output positions: input vectors per image
        double latency_per_mvm_ns = 0;
        uint64_t mapped_positions = 0;  ///< cells of the blocks' matrices inside an output's group
    };

    std::vector<Layer> m_layers;
    std::vector<NodeDesc> m_nodes;
    std::vector<std::vector<double>> m_affine_scale, m_affine_shift;  ///< per node (affine nodes only)
    std::vector<size_t> m_last_use;  ///< per node: the last node reading it (frees its batch)
    size_t m_output = 0;
    std::vector<unsigned> m_input_shape;
    Technology m_tech;  ///< the periphery's energy and time figures
    uint64_t m_state_bytes = 0, m_bytes_per_image = 0;
    std::string m_peak_node;

    void estimate_memory();
};

/// A layer's crossbar configuration: `base` with the layer's weight bits, sign and
/// input bits, and `cell_bits` (0: the file's); one ADC resolution list per ADC group
/// (a list of the wrong length takes its first entry for every group).
HwConfig layer_config(const HwConfig& base, const LayerDesc& layer, unsigned cell_bits);

/// The input integer of a layer: clamp(floor(x / scale + 1/2), 0, 2^bits - 1).
uint32_t quantize_input(float x, double scale, unsigned bits);

}  // namespace bitcim::core

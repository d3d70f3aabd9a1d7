#include "network/network.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/errors.h"
#include "core/im2col.h"
#include "core/layer_stats.h"
#include "core/technology.h"
#include "network/periphery.h"

namespace bitcim::core {

uint32_t quantize_input(float x, double scale, unsigned bits) {
    const double top = static_cast<double>((uint64_t{1} << bits) - 1);
    const double q = std::floor(static_cast<double>(x) / scale + 0.5);
    return static_cast<uint32_t>(std::min(std::max(q, 0.0), top));
}

namespace {

// The blocks of a layer: one for dense mapping; for compact mapping one per column
// block of crossbar outputs (in column_map order), holding the rows with a non-zero
// weight there, none for an all-zero block.
std::vector<MappedBlock> map_blocks(const IntMatrix& w, const HwConfig& cfg, const std::vector<int64_t>& column_map,
                                    size_t layer, const std::string& where) {
    std::vector<MappedBlock> blocks;
    auto add = [&](std::vector<uint32_t> rows, std::vector<uint32_t> outputs, bool whole) {
        MappedBlock b;
        b.rows = std::move(rows);
        b.outputs = std::move(outputs);
        b.whole = whole;
        b.weights = IntMatrix(b.outputs.size(), b.rows.size());
        for (size_t o = 0; o < b.outputs.size(); ++o)
            for (size_t r = 0; r < b.rows.size(); ++r) b.weights.at(o, r) = w.at(b.outputs[o], b.rows[r]);
        b.tag = static_cast<uint32_t>(layer + (blocks.size() << 16));
        b.xbar = std::make_unique<BitSlicedLayer>(cfg, b.weights, where, FaultSite{b.tag, 0, 0});
        blocks.push_back(std::move(b));
    };
    std::vector<uint32_t> all_rows(w.cols), physical(w.rows);
    for (size_t i = 0; i < w.cols; ++i) all_rows[i] = static_cast<uint32_t>(i);
    for (size_t o = 0; o < w.rows; ++o) physical[o] = static_cast<uint32_t>(column_map.empty() ? o : column_map[o]);
    if (cfg.mapping == Mapping::Dense) {
        add(all_rows, physical, column_map.empty());
        return blocks;
    }
    const size_t per_xbar = cfg.outputs_per_xbar();
    for (size_t c0 = 0; c0 < w.rows; c0 += per_xbar) {
        const std::vector<uint32_t> outs(physical.begin() + static_cast<long>(c0),
                                         physical.begin() + static_cast<long>(std::min(w.rows, c0 + per_xbar)));
        std::vector<uint32_t> rows;
        for (size_t i = 0; i < w.cols; ++i)
            if (std::any_of(outs.begin(), outs.end(), [&](uint32_t o) { return w.at(o, i) != 0; }))
                rows.push_back(static_cast<uint32_t>(i));
        if (!rows.empty()) add(rows, outs, false);
    }
    return blocks;
}

}  // namespace

std::vector<uint32_t> MappedBlock::gather(const std::vector<uint32_t>& x) const {
    if (whole) return x;
    std::vector<uint32_t> xb(rows.size());
    for (size_t r = 0; r < rows.size(); ++r) xb[r] = x[rows[r]];
    return xb;
}

void MappedBlock::scatter(const std::vector<int64_t>& y, std::vector<int64_t>& acc) const {
    for (size_t o = 0; o < outputs.size(); ++o) acc[outputs[o]] += y[o];
}

HwConfig layer_config(const HwConfig& base, const LayerDesc& L, unsigned cell_bits) {
    HwConfig cfg = base;
    cfg.weight_bits = L.weight_bits;
    cfg.sign = L.sign;
    cfg.input_bits = L.input_bits;
    cfg.cell_bits = cell_bits;
    if (cfg.adc_bits.size() != cfg.num_adc_groups())
        cfg.adc_bits.assign(cfg.num_adc_groups(), cfg.adc_bits.empty() ? 8 : cfg.adc_bits.front());
    validate(cfg, "layer \"" + L.name + "\" configuration");
    return cfg;
}

Network::Network(const WeightFile& file, const HwConfig& base, const Technology& tech, unsigned cell_bits) {
    const NetworkDesc& net = file.network();
    m_tech = tech;
    m_input_shape = net.input_shape;
    m_nodes = net.nodes;
    m_output = net.output;
    m_affine_scale.resize(m_nodes.size());
    m_affine_shift.resize(m_nodes.size());
    m_last_use.assign(m_nodes.size(), 0);
    m_layers.resize(net.layers.size());
    for (size_t ni = 0; ni < m_nodes.size(); ++ni) {
        const NodeDesc& n = m_nodes[ni];
        for (size_t j : n.inputs) m_last_use[j] = ni;
        if (n.op == OpKind::Affine) {
            m_affine_scale[ni] = file.floats(n.scale_tensor);
            m_affine_shift[ni] = file.floats(n.shift_tensor);
        }
        if (!n.crossbar()) continue;
        // The reader checked every shape along the graph; what is left is the hardware's fit.
        const LayerDesc& L = net.layers[n.layer];
        Layer& layer = m_layers[n.layer];
        layer.desc = L;
        const std::vector<unsigned>& in = m_nodes[n.inputs[0]].shape;
        if (L.conv()) layer.in_c = in[0], layer.in_h = in[1], layer.in_w = in[2];
        if (L.conv()) layer.positions = size_t{n.shape[1]} * n.shape[2];
        const std::string where = "layer \"" + L.name + "\"";
        layer.config = layer_config(base, L, cell_bits ? cell_bits : net.cell_bits);
        layer.weights = file.layer_weights(L);
        const std::vector<int64_t> column_map = L.column_map.empty() ? std::vector<int64_t>() : file.ints(L.column_map);
        layer.blocks = map_blocks(layer.weights, layer.config, column_map, n.layer, where);
        if (!L.bias.empty()) layer.bias = file.floats(L.bias);
        if (!L.scale.empty()) layer.scale = file.floats(L.scale);
        // Blocks sit on crossbars of their own and work in parallel.
        const size_t group_rows = L.rows() / L.groups, group_outputs = L.outputs() / L.groups;
        for (const MappedBlock& b : layer.blocks) {
            layer.latency_per_mvm_ns = std::max(layer.latency_per_mvm_ns, b.xbar->latency_ns(tech));
            for (uint32_t o : b.outputs)
                for (uint32_t r : b.rows) layer.mapped_positions += r / group_rows == o / group_outputs;
        }
    }
    m_last_use[m_output] = m_nodes.size();
    estimate_memory();
}

// Walks the graph as infer_batch runs it, per image: the tensors alive after each
// node (freed after their last reader) plus, at a crossbar node, its im2col vectors
// (uint32 per row and position) and accumulators (int64 per output and position).
void Network::estimate_memory() {
    constexpr uint64_t kStateBytesPerCell = 24;  // int64 weight copies, bit planes, fault draws: an upper estimate
    for (const Layer& l : m_layers)
        for (const MappedBlock& b : l.blocks) m_state_bytes += kStateBytesPerCell * b.rows.size() * b.outputs.size();
    uint64_t live = 0;
    for (size_t ni = 0; ni < m_nodes.size(); ++ni) {
        const NodeDesc& n = m_nodes[ni];
        uint64_t transient = 0;
        if (n.crossbar()) {
            const LayerDesc& L = m_layers[n.layer].desc;
            const uint64_t positions = L.conv() ? uint64_t{n.shape[1]} * n.shape[2] : 1;
            transient = positions * (uint64_t{L.rows()} * sizeof(uint32_t) + uint64_t{L.outputs()} * sizeof(int64_t));
        }
        live += n.elements() * sizeof(float);
        if (live + transient > m_bytes_per_image) m_bytes_per_image = live + transient, m_peak_node = n.name;
        for (size_t j : n.inputs)
            if (m_last_use[j] == ni) live -= m_nodes[j].elements() * sizeof(float);
    }
}

uint64_t Network::mapped_weights(size_t i) const {
    uint64_t n = 0;
    for (const MappedBlock& b : m_layers[i].blocks) n += uint64_t{b.rows.size()} * b.outputs.size();
    return n;
}

std::vector<PeripheryStats> Network::make_periphery_stats() const {
    std::vector<PeripheryStats> stats;
    for (const NodeDesc& n : m_nodes)
        if (n.op != OpKind::Input) stats.push_back({n.name, op_name(n.op), {}, 0.0});
    return stats;
}

std::vector<LayerStats> Network::make_stats(bool adc_codes) const {
    std::vector<LayerStats> stats;
    for (const Layer& l : m_layers) stats.push_back({l.desc.name, make_counters(l.config, adc_codes), 0, 0.0});
    return stats;
}

unsigned Network::crossbars(size_t i) const {
    unsigned n = 0;
    for (const MappedBlock& b : m_layers[i].blocks) n += b.xbar->mapping().crossbars;
    return n;
}

std::vector<double> Network::crossbar_utilization(size_t i) const {
    std::vector<double> out;
    for (const MappedBlock& b : m_layers[i].blocks) {
        const std::vector<double> u = core::crossbar_utilization(b.weights, m_layers[i].config);
        out.insert(out.end(), u.begin(), u.end());
    }
    return out;
}

FaultCounts Network::fault_counts(size_t i) const {
    FaultCounts f;
    for (const MappedBlock& b : m_layers[i].blocks) {
        const FaultCounts& k = b.xbar->fault_counts();
        f.cells += k.cells, f.stuck_lrs += k.stuck_lrs, f.stuck_hrs += k.stuck_hrs, f.stuck_changed += k.stuck_changed;
    }
    return f;
}

void Network::require_one_format(const std::string& level, bool same_adcs) const {
    const HwConfig& first = m_layers.front().config;
    for (const Layer& l : m_layers) {
        const HwConfig& c = l.config;
        if (c.weight_bits != first.weight_bits || c.sign != first.sign || c.input_bits != first.input_bits ||
            c.cell_bits != first.cell_bits || (same_adcs && c.adc_bits != first.adc_bits))
            throw InputError(level + ": layer \"" + l.desc.name +
                             "\" has another number format than the first; one chip type per run is modelled");
    }
}

size_t Network::max_block_rows() const {
    size_t n = 1;
    for (const Layer& l : m_layers)
        for (const MappedBlock& b : l.blocks) n = std::max(n, b.rows.size());
    return n;
}

size_t Network::max_block_outputs() const {
    size_t n = 1;
    for (const Layer& l : m_layers)
        for (const MappedBlock& b : l.blocks) n = std::max(n, b.outputs.size());
    return n;
}

MvmBackend Network::golden_backend() const {
    return [this](size_t li, const std::vector<std::vector<uint32_t>>& inputs, LayerStats& stats) {
        const Layer& l = m_layers[li];
        std::vector<std::vector<int64_t>> out(inputs.size(), std::vector<int64_t>(l.weights.rows, 0));
        // A vector's noise epoch is its index in the layer's input stream.
        const uint64_t epoch = stats.vectors;
        for (const MappedBlock& b : l.blocks)
            for (size_t v = 0; v < inputs.size(); ++v)
                b.scatter(b.xbar->run(b.gather(inputs[v]), stats.counters, epoch + v), out[v]);
        stats.latency_ns += l.latency_per_mvm_ns * static_cast<double>(inputs.size());
        return out;
    };
}

namespace {

// One node's tensor over the batch: float32 maps, or the integers of a uint edge.
struct BatchTensor {
    std::vector<std::vector<float>> real;
    std::vector<std::vector<uint32_t>> ints;
};

}  // namespace

std::vector<std::vector<float>> Network::infer_batch(const std::vector<std::vector<uint8_t>>& images,
                                                     const MvmBackend& mvm, std::vector<LayerStats>& stats,
                                                     std::vector<PeripheryStats>& periphery) const {
    size_t expected = 1;
    for (unsigned d : m_input_shape) expected *= d;
    std::vector<BatchTensor> values(m_nodes.size());
    const size_t batch = images.size();
    size_t pi = 0;  // periphery stats index: every node but the input, in order
    for (size_t ni = 0; ni < m_nodes.size(); ++ni) {
        const NodeDesc& n = m_nodes[ni];
        BatchTensor& out = values[ni];
        auto real_in = [&](size_t k) -> const std::vector<std::vector<float>>& { return values[n.inputs[k]].real; };
        const std::vector<unsigned>& in_shape = n.inputs.empty() ? n.shape : m_nodes[n.inputs[0]].shape;
        switch (n.op) {
            case OpKind::Input:
                // pixel / 255 in float32, as the training data loader makes it
                for (const auto& pixels : images) {
                    if (pixels.size() != expected)
                        throw InputError("image has " + std::to_string(pixels.size()) +
                                         " pixels, the network expects " + std::to_string(expected));
                    std::vector<float> a(pixels.size());
                    for (size_t i = 0; i < pixels.size(); ++i) a[i] = static_cast<float>(pixels[i]) / 255.0f;
                    out.real.push_back(std::move(a));
                }
                break;
            case OpKind::Quantize:
                for (const auto& x : real_in(0)) {
                    std::vector<uint32_t> q(x.size());
                    for (size_t i = 0; i < x.size(); ++i) q[i] = quantize_input(x[i], n.scale, n.bits);
                    out.ints.push_back(std::move(q));
                }
                break;
            case OpKind::Conv2d:
            case OpKind::Linear: {
                const Layer& l = m_layers[n.layer];
                const LayerDesc& L = l.desc;
                const ConvGeometry g{l.in_c,      l.in_h,      l.in_w,       L.kernel_h,   L.kernel_w,  L.stride_h,
                                     L.stride_w,  L.padding_h, L.padding_w,  L.dilation_h, L.dilation_w};
                const size_t positions = L.conv() ? size_t{g.out_h()} * g.out_w() : 1;
                // Every crossbar input vector of the batch: one per image (linear) or per output position (conv).
                std::vector<std::vector<uint32_t>> vectors;
                for (const auto& x : values[n.inputs[0]].ints) {
                    if (L.conv()) {
                        for (auto& p : im2col(x, g)) vectors.push_back(std::move(p));
                    } else {
                        vectors.push_back(x);
                    }
                }
                // The noise epochs of a batch run apart from the others assume this count.
                if (vectors.size() != batch * l.positions) throw std::logic_error("infer_batch: vectors per image");
                const auto acc = mvm(n.layer, vectors, stats[n.layer]);
                stats[n.layer].vectors += vectors.size();
                const double rescale = L.weight_step * L.input_scale;
                const unsigned oc = L.outputs();
                for (size_t img = 0; img < batch; ++img) {
                    std::vector<float> y(size_t{oc} * positions);
                    for (size_t p = 0; p < positions; ++p)
                        for (unsigned o = 0; o < oc; ++o) {
                            const double scaled = static_cast<double>(acc[img * positions + p][o]) * rescale *
                                                  (l.scale.empty() ? 1.0 : l.scale[o]);
                            y[o * positions + p] = static_cast<float>(scaled + (l.bias.empty() ? 0.0 : l.bias[o]));
                        }
                    out.real.push_back(std::move(y));
                }
                break;
            }
            case OpKind::Relu:
                for (const auto& x : real_in(0)) out.real.push_back(relu(x));
                break;
            case OpKind::MaxPool2d:
            case OpKind::AvgPool2d: {
                const PoolWindow w = pool_window(n, in_shape);
                for (const auto& x : real_in(0))
                    out.real.push_back(n.op == OpKind::MaxPool2d ? max_pool(x, w) : avg_pool(x, w));
                break;
            }
            case OpKind::GlobalAvgPool:
                for (const auto& x : real_in(0)) out.real.push_back(global_avg_pool(x, in_shape[0]));
                break;
            case OpKind::Add:
                for (size_t img = 0; img < batch; ++img) out.real.push_back(add(real_in(0)[img], real_in(1)[img]));
                break;
            case OpKind::Concat:
                out.real.assign(batch, {});
                for (size_t k = 0; k < n.inputs.size(); ++k)
                    for (size_t img = 0; img < batch; ++img)
                        out.real[img].insert(out.real[img].end(), real_in(k)[img].begin(), real_in(k)[img].end());
                break;
            case OpKind::Affine:
                for (const auto& x : real_in(0))
                    out.real.push_back(affine(x, n.shape[0], m_affine_scale[ni], m_affine_shift[ni]));
                break;
            case OpKind::Flatten:
            case OpKind::Identity:
                out = values[n.inputs[0]];  // the same values; the shape is the node's
                break;
        }
        if (n.op != OpKind::Input) {
            const bool scale = n.crossbar() && !m_layers[n.layer].scale.empty();
            const bool bias = n.crossbar() && !m_layers[n.layer].bias.empty();
            PeripheryOps ops = ops_of(n, in_shape, scale, bias);
            ops.adds *= batch, ops.multiplies *= batch, ops.compares *= batch;
            periphery[pi].ops += ops;
            periphery[pi].latency_ns += latency_ns(ops, m_tech);
            ++pi;
        }
        // A tensor no later node reads is freed.
        for (size_t j : n.inputs)
            if (m_last_use[j] == ni) values[j] = BatchTensor();
    }
    return values[m_output].real;
}

}  // namespace bitcim::core

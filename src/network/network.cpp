#include "network/network.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"
#include "core/im2col.h"
#include "core/technology.h"

namespace bitcim::core {

uint32_t quantize_input(float x, double scale, unsigned bits) {
    const double top = static_cast<double>((uint64_t{1} << bits) - 1);
    const double q = std::floor(static_cast<double>(x) / scale + 0.5);
    return static_cast<uint32_t>(std::min(std::max(q, 0.0), top));
}

namespace {

std::vector<float> pool(const std::vector<float>& in, unsigned channels, unsigned h, unsigned w, const LayerDesc& L) {
    const unsigned k = L.pool_kernel, s = L.pool_stride;
    const unsigned ph = (h - k) / s + 1, pw = (w - k) / s + 1;
    const bool max = L.pool == "max";
    std::vector<float> out(size_t{channels} * ph * pw);
    for (unsigned ch = 0; ch < channels; ++ch)
        for (unsigned y = 0; y < ph; ++y)
            for (unsigned x = 0; x < pw; ++x) {
                float m = max ? -INFINITY : 0.0f;
                for (unsigned dy = 0; dy < k; ++dy)
                    for (unsigned dx = 0; dx < k; ++dx) {
                        const float v = in[(size_t{ch} * h + y * s + dy) * w + x * s + dx];
                        m = max ? std::max(m, v) : m + v;
                    }
                out[(size_t{ch} * ph + y) * pw + x] = max ? m : m / static_cast<float>(k * k);
            }
    return out;
}

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
    m_input_shape = net.input_shape;
    // Shape of the activation flowing into each layer: C, H, W (or features, 1, 1).
    unsigned c = net.input_shape[0], h = net.input_shape.size() > 1 ? net.input_shape[1] : 1,
             w = net.input_shape.size() > 2 ? net.input_shape[2] : 1;
    if (net.input_shape.size() == 1) c = net.input_shape[0], h = 1, w = 1;
    for (const LayerDesc& L : net.layers) {
        Layer layer;
        layer.desc = L;
        const HwConfig cfg = layer_config(base, L, cell_bits ? cell_bits : net.cell_bits);
        const std::string where = "layer \"" + L.name + "\"";
        if (L.kind == "conv2d") {
            if (L.in_channels != c)
                throw InputError(where + ": expects " + std::to_string(L.in_channels) + " input channels, gets " +
                                 std::to_string(c));
            layer.in_c = c, layer.in_h = h, layer.in_w = w;
            const ConvGeometry g{c, h, w, L.kernel_h, L.kernel_w, L.stride, L.padding};
            validate(g);
            c = L.out_channels, h = g.out_h(), w = g.out_w();
        } else {
            if (L.in_features != c * h * w)
                throw InputError(where + ": expects " + std::to_string(L.in_features) + " inputs, the previous layer gives " +
                                 std::to_string(c * h * w));
            c = L.out_features, h = 1, w = 1;
        }
        if (!L.pool.empty()) {
            if (L.pool_kernel > h || L.pool_kernel > w) throw InputError(where + ": pooling window larger than the map");
            h = (h - L.pool_kernel) / L.pool_stride + 1;
            w = (w - L.pool_kernel) / L.pool_stride + 1;
        }
        layer.weights = file.layer_weights(L);
        layer.config = cfg;
        const std::vector<int64_t> column_map = L.column_map.empty() ? std::vector<int64_t>() : file.ints(L.column_map);
        layer.blocks = map_blocks(layer.weights, cfg, column_map, m_layers.size(), where);
        if (!L.bias.empty()) layer.bias = file.floats(L.bias);
        // Blocks sit on crossbars of their own and work in parallel.
        for (const MappedBlock& b : layer.blocks)
            layer.latency_per_mvm_ns = std::max(layer.latency_per_mvm_ns, b.xbar->latency_ns(tech));
        m_layers.push_back(std::move(layer));
    }
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

std::vector<std::vector<float>> Network::infer_batch(const std::vector<std::vector<uint8_t>>& images,
                                                     const MvmBackend& mvm, std::vector<LayerStats>& stats) const {
    size_t expected = 1;
    for (unsigned d : m_input_shape) expected *= d;
    // The first layer sees pixel / 255 in float32, as the training data loader makes it.
    std::vector<std::vector<float>> acts;
    for (const auto& pixels : images) {
        if (pixels.size() != expected)
            throw InputError("image has " + std::to_string(pixels.size()) + " pixels, the network expects " +
                             std::to_string(expected));
        std::vector<float> a(pixels.size());
        for (size_t i = 0; i < pixels.size(); ++i) a[i] = static_cast<float>(pixels[i]) / 255.0f;
        acts.push_back(std::move(a));
    }
    for (size_t li = 0; li < m_layers.size(); ++li) {
        const Layer& l = m_layers[li];
        const LayerDesc& L = l.desc;
        const bool conv = L.kind == "conv2d";
        const ConvGeometry g{l.in_c, l.in_h, l.in_w, L.kernel_h, L.kernel_w, L.stride, L.padding};
        const size_t positions = conv ? size_t{g.out_h()} * g.out_w() : 1;
        // Every crossbar input vector of the batch: one per image (linear) or per output position (conv).
        std::vector<std::vector<uint32_t>> vectors;
        for (const auto& act : acts) {
            std::vector<uint32_t> x(act.size());
            for (size_t i = 0; i < act.size(); ++i) x[i] = quantize_input(act[i], L.input_scale, L.input_bits);
            if (conv) {
                for (auto& p : im2col(x, g)) vectors.push_back(std::move(p));
            } else {
                vectors.push_back(std::move(x));
            }
        }
        const auto acc = mvm(li, vectors, stats[li]);
        stats[li].vectors += vectors.size();
        const double rescale = L.weight_step * L.input_scale;
        const unsigned oc = conv ? L.out_channels : L.out_features;
        const unsigned oh = conv ? g.out_h() : 1, ow = conv ? g.out_w() : 1;
        for (size_t img = 0; img < acts.size(); ++img) {
            std::vector<float> out(size_t{oc} * positions);
            for (size_t p = 0; p < positions; ++p)
                for (unsigned o = 0; o < oc; ++o) {
                    const double y = static_cast<double>(acc[img * positions + p][o]) * rescale +
                                     (l.bias.empty() ? 0.0 : l.bias[o]);
                    const float f = static_cast<float>(y);
                    out[o * positions + p] = L.activation == "relu" ? std::max(f, 0.0f) : f;
                }
            if (!L.pool.empty()) out = pool(out, oc, oh, ow, L);
            acts[img] = std::move(out);
        }
    }
    return acts;
}

}  // namespace bitcim::core

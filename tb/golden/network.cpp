#include "network.h"

#include <algorithm>
#include <cmath>

#include "errors.h"
#include "im2col.h"
#include "technology.h"

namespace bitcim::golden {

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

}  // namespace

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
        layer.xbar = std::make_unique<BitSlicedLayer>(cfg, layer.weights, where, FaultSite{m_layers.size(), 0, 0});
        if (!L.bias.empty()) layer.bias = file.floats(L.bias);
        layer.latency_per_mvm_ns = layer.xbar->latency_ns(tech);
        m_layers.push_back(std::move(layer));
    }
}

std::vector<LayerStats> Network::make_stats(bool adc_codes) const {
    std::vector<LayerStats> stats;
    for (const Layer& l : m_layers) stats.push_back({l.desc.name, l.xbar->make_counters(adc_codes), 0.0});
    return stats;
}

MvmBackend Network::golden_backend() const {
    return [this](size_t li, const std::vector<std::vector<uint32_t>>& inputs, LayerStats& stats) {
        const Layer& l = m_layers[li];
        std::vector<std::vector<int64_t>> out;
        out.reserve(inputs.size());
        // A vector's noise epoch is its index in the layer's input stream.
        for (const auto& x : inputs) out.push_back(l.xbar->run(x, stats.counters, stats.counters.mvms));
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

}  // namespace bitcim::golden

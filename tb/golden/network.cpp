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

Network::Network(const WeightFile& file, const HwConfig& base, const Technology& tech) {
    const NetworkDesc& net = file.network();
    m_input_shape = net.input_shape;
    // Shape of the activation flowing into each layer: C, H, W (or features, 1, 1).
    unsigned c = net.input_shape[0], h = net.input_shape.size() > 1 ? net.input_shape[1] : 1,
             w = net.input_shape.size() > 2 ? net.input_shape[2] : 1;
    if (net.input_shape.size() == 1) c = net.input_shape[0], h = 1, w = 1;
    for (const LayerDesc& L : net.layers) {
        Layer layer;
        layer.desc = L;
        HwConfig cfg = base;
        cfg.weight_bits = L.weight_bits;
        cfg.sign = L.sign;
        cfg.input_bits = L.input_bits;
        cfg.cell_bits = net.cell_bits;
        if (cfg.adc_bits.size() != cfg.num_adc_groups() && !cfg.adc_bits.empty())
            cfg.adc_bits.assign(cfg.num_adc_groups(), cfg.adc_bits.front());
        validate(cfg, "layer \"" + L.name + "\" configuration");
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
        layer.xbar = std::make_unique<BitSlicedLayer>(cfg, file.layer_weights(L), where);
        if (!L.bias.empty()) layer.bias = file.floats(L.bias);
        layer.latency_per_mvm_ns = layer.xbar->latency_ns(tech);
        m_layers.push_back(std::move(layer));
    }
}

std::vector<LayerStats> Network::make_stats() const {
    std::vector<LayerStats> stats;
    for (const Layer& l : m_layers) stats.push_back({l.desc.name, l.xbar->make_counters(), 0.0});
    return stats;
}

std::vector<float> Network::infer(const std::vector<uint8_t>& pixels, std::vector<LayerStats>& stats) const {
    size_t expected = 1;
    for (unsigned d : m_input_shape) expected *= d;
    if (pixels.size() != expected)
        throw InputError("image has " + std::to_string(pixels.size()) + " pixels, the network expects " +
                         std::to_string(expected));
    // The first layer sees pixel / 255 in float32, as the training data loader makes it.
    std::vector<float> act(pixels.size());
    for (size_t i = 0; i < pixels.size(); ++i) act[i] = static_cast<float>(pixels[i]) / 255.0f;
    for (size_t li = 0; li < m_layers.size(); ++li) {
        const Layer& l = m_layers[li];
        const LayerDesc& L = l.desc;
        std::vector<uint32_t> x(act.size());
        for (size_t i = 0; i < act.size(); ++i) x[i] = quantize_input(act[i], L.input_scale, L.input_bits);
        const double rescale = L.weight_step * L.input_scale;
        auto to_real = [&](int64_t acc, size_t out) {
            const double y = static_cast<double>(acc) * rescale + (l.bias.empty() ? 0.0 : l.bias[out]);
            const float f = static_cast<float>(y);
            return L.activation == "relu" ? std::max(f, 0.0f) : f;
        };
        std::vector<float> out;
        unsigned oc = 0, oh = 1, ow = 1;
        if (L.kind == "linear") {
            const auto acc = l.xbar->run(x, stats[li].counters);
            stats[li].latency_ns += l.latency_per_mvm_ns;
            for (size_t o = 0; o < acc.size(); ++o) out.push_back(to_real(acc[o], o));
            oc = static_cast<unsigned>(acc.size());
        } else {
            const ConvGeometry g{l.in_c, l.in_h, l.in_w, L.kernel_h, L.kernel_w, L.stride, L.padding};
            const auto patches = im2col(x, g);
            oc = L.out_channels, oh = g.out_h(), ow = g.out_w();
            out.assign(size_t{oc} * oh * ow, 0.0f);
            for (size_t p = 0; p < patches.size(); ++p) {
                const auto acc = l.xbar->run(patches[p], stats[li].counters);
                for (unsigned o = 0; o < oc; ++o) out[o * patches.size() + p] = to_real(acc[o], o);
            }
            stats[li].latency_ns += l.latency_per_mvm_ns * static_cast<double>(patches.size());
        }
        if (!L.pool.empty()) {
            const unsigned k = L.pool_kernel, s = L.pool_stride;
            const unsigned ph = (oh - k) / s + 1, pw = (ow - k) / s + 1;
            std::vector<float> pooled(size_t{oc} * ph * pw);
            for (unsigned ch = 0; ch < oc; ++ch)
                for (unsigned y = 0; y < ph; ++y)
                    for (unsigned xx = 0; xx < pw; ++xx) {
                        float m = L.pool == "max" ? -INFINITY : 0.0f;
                        for (unsigned dy = 0; dy < k; ++dy)
                            for (unsigned dx = 0; dx < k; ++dx) {
                                const float v = out[(size_t{ch} * oh + y * s + dy) * ow + xx * s + dx];
                                m = L.pool == "max" ? std::max(m, v) : m + v;
                            }
                        pooled[(size_t{ch} * ph + y) * pw + xx] = L.pool == "max" ? m : m / static_cast<float>(k * k);
                    }
            out = std::move(pooled);
        }
        act = std::move(out);
    }
    return act;
}

}  // namespace bitcim::golden

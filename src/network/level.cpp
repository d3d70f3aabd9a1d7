#include "network/level.h"

#include <algorithm>
#include <cstdio>

#include "core/errors.h"
#include "core/parallel.h"

namespace bitcim::core {

const std::vector<std::pair<std::string, LevelKind>>& level_names() {
    static const std::vector<std::pair<std::string, LevelKind>> names = {
        {"golden", LevelKind::Golden}, {"tlm", LevelKind::Tlm}, {"cycle", LevelKind::Cycle}};
    return names;
}

const std::string& level_name(LevelKind kind) {
    for (const auto& [name, k] : level_names())
        if (k == kind) return name;
    throw std::logic_error("level_name: unknown level");
}

nlohmann::json to_json(const CycleCounts& c) {
    nlohmann::json j = {{"simulated_cycles", c.simulated_cycles}, {"clock_period_ns", c.clock_period_ns}};
    if (c.cycles) j["cycles"] = *c.cycles;
    return j;
}

NetworkRun Level::run_network(const Network& net, const Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                              const NetworkRunOptions& opt) const {
    if (opt.adc_codes && !supports_adc_histograms())
        throw InputError(name() + " level: ADC code histograms are not counted at this level");
    require_runnable(net);
    return do_run_network(net, tech, images, opt);
}

size_t fitting_batch(const Network& net, const NetworkRunOptions& opt) {
    const size_t wanted = std::max<size_t>(opt.batch_images, 1);
    if (!opt.memory_limit_bytes) return wanted;
    auto mib = [](uint64_t b) {
        char text[32];
        std::snprintf(text, sizeof text, "%.1f", static_cast<double>(b) / (1024.0 * 1024.0));
        return std::string(text);
    };
    const uint64_t state = net.state_bytes(), per_image = std::max<uint64_t>(net.bytes_per_image(), 1);
    const uint64_t room = opt.memory_limit_bytes > state ? opt.memory_limit_bytes - state : 0;
    if (room < per_image)
        throw InputError("the network needs about " + mib(state) + " MiB of state and " + mib(per_image) +
                         " MiB per image (most at node \"" + net.peak_node() + "\"), more than the " +
                         mib(opt.memory_limit_bytes) + " MiB memory limit (--max-memory)");
    const size_t fit = static_cast<size_t>(std::min<uint64_t>(room / per_image, wanted));
    if (fit < wanted && opt.notice)
        opt.notice("batch of " + std::to_string(wanted) + " images shrunk to " + std::to_string(fit) + ": " +
                   mib(per_image) + " MiB per image (node \"" + net.peak_node() + "\") within the " +
                   mib(opt.memory_limit_bytes) + " MiB memory limit");
    return fit;
}

void run_batches(const Network& net, const std::vector<std::vector<uint8_t>>& images, const NetworkRunOptions& opt,
                 const MvmBackend& backend, NetworkRun& run) {
    run.stats = net.make_stats(opt.adc_codes);
    run.periphery = net.make_periphery_stats();
    const size_t step = fitting_batch(net, opt);
    const bool windowed = opt.window_last > opt.window_first;
    bool inside = false;
    size_t first_in = 0;
    for (size_t i = 0, end; i < images.size(); i = end) {
        end = std::min(images.size(), i + step);
        // A window's images are batches of their own, so their time is one stretch.
        if (windowed && !opt.window_batches && i < opt.window_first) end = std::min(end, opt.window_first);
        if (windowed && !opt.window_batches && i < opt.window_last) end = std::min(end, opt.window_last);
        const bool in = windowed && i < opt.window_last && end > opt.window_first;
        if (in && !inside) {
            first_in = i;
            if (opt.window) opt.window(true);
        }
        inside = in;
        const std::vector<std::vector<uint8_t>> batch(images.begin() + static_cast<long>(i),
                                                      images.begin() + static_cast<long>(end));
        const auto logits = net.infer_batch(batch, backend, run.stats, run.periphery);
        run.logits.insert(run.logits.end(), logits.begin(), logits.end());
        if (inside && end >= opt.window_last) {
            inside = false;
            if (opt.window) opt.window(false);
            if ((first_in != opt.window_first || end != opt.window_last) && opt.notice)
                opt.notice("the trace window holds images " + std::to_string(first_in) + ".." +
                           std::to_string(end - 1) + ", the batches that hold " + std::to_string(opt.window_first) +
                           ".." + std::to_string(opt.window_last - 1));
        }
        if (opt.progress) opt.progress(run.logits.size());
    }
}

void run_batches_parallel(const Network& net, const std::vector<std::vector<uint8_t>>& images,
                          const NetworkRunOptions& opt, const MvmBackend& backend, unsigned threads, NetworkRun& run) {
    run.stats = net.make_stats(opt.adc_codes);
    run.periphery = net.make_periphery_stats();
    const size_t step = fitting_batch(net, opt);
    const size_t batches = (images.size() + step - 1) / step;
    // Batches in flight at once must fit the memory limit too (fitting_batch allowed one).
    if (opt.memory_limit_bytes) {
        const uint64_t state = net.state_bytes(), batch_bytes = std::max<uint64_t>(net.bytes_per_image(), 1) * step;
        const uint64_t room = opt.memory_limit_bytes > state ? opt.memory_limit_bytes - state : 0;
        threads = static_cast<unsigned>(std::clamp<uint64_t>(room / batch_bytes, 1, std::max(threads, 1u)));
    }
    struct BatchRun {
        std::vector<std::vector<float>> logits;
        std::vector<LayerStats> stats;
        std::vector<PeripheryStats> periphery;
    };
    std::vector<BatchRun> parts(batches);
    ordered_parallel(
        batches, threads,
        [&](size_t b) {
            const size_t first = b * step, last = std::min(images.size(), first + step);
            BatchRun& part = parts[b];
            part.stats = net.make_stats(opt.adc_codes);
            // A vector's noise epoch is its index in the layer's stream: this batch's start.
            for (size_t li = 0; li < part.stats.size(); ++li) part.stats[li].vectors = first * net.vectors_per_image(li);
            part.periphery = net.make_periphery_stats();
            const std::vector<std::vector<uint8_t>> batch(images.begin() + static_cast<long>(first),
                                                          images.begin() + static_cast<long>(last));
            part.logits = net.infer_batch(batch, backend, part.stats, part.periphery);
        },
        [&](size_t b) {
            BatchRun& part = parts[b];
            const size_t first = b * step;
            for (size_t li = 0; li < run.stats.size(); ++li) {
                LayerStats& s = run.stats[li];
                const LayerStats& p = part.stats[li];
                s.counters.add(p.counters);
                s.vectors += p.vectors - first * net.vectors_per_image(li);
                s.latency_ns += p.latency_ns;
            }
            for (size_t i = 0; i < run.periphery.size(); ++i) {
                run.periphery[i].ops += part.periphery[i].ops;
                run.periphery[i].latency_ns += part.periphery[i].latency_ns;
            }
            run.logits.insert(run.logits.end(), std::make_move_iterator(part.logits.begin()),
                              std::make_move_iterator(part.logits.end()));
            part = BatchRun();
            if (opt.progress) opt.progress(run.logits.size());
        });
}

}  // namespace bitcim::core

// `bitcim run`: a trained network from a weight file over a data set through the
// model: accuracy, energy by component and layer, latency, ADC saturations.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/levels.h"
#include "app/run_chip.h"
#include "app/trace_options.h"
#include "core/energy.h"
#include "core/errors.h"
#include "core/hw_config.h"
#include "core/lfsr.h"
#include "io/dataset.h"
#include "core/layer_stats.h"
#include "network/level.h"
#include "network/chip_plan.h"
#include "network/level_golden.h"
#include "network/network.h"
#include "core/technology.h"
#include "tlm/tlm_network.h"
#include "io/weight_file.h"

namespace bitcim::cli {

namespace {

// A progress line on stderr every couple of seconds: done/total, rate, ETA.
class Progress {
public:
    explicit Progress(size_t total) : m_total(total), m_start(Clock::now()), m_last(m_start) {}
    void update(size_t done) {
        const auto now = Clock::now();
        if (done != m_total && now - m_last < std::chrono::seconds(2)) return;
        m_last = now;
        const double s = std::chrono::duration<double>(now - m_start).count();
        const double rate = done / std::max(s, 1e-9);
        std::fprintf(stderr, "\rrun: %zu/%zu images, %.1f images/s, ETA %.0f s   ", done, m_total, rate,
                     (m_total - done) / std::max(rate, 1e-9));
        if (done == m_total) std::fprintf(stderr, "\n");
    }

private:
    using Clock = std::chrono::steady_clock;
    size_t m_total;
    Clock::time_point m_start, m_last;
};

// Images per batch: the progress granularity, and per layer one TLM programming.
constexpr size_t kBatchImages = 100;
// The baseline's ADC resolution on every slice (ISAAC).
constexpr unsigned kBaselineAdcBits = 8;

struct RunOptions {
    std::string weights;
    std::string dataset = "fashion-mnist";
    std::string data_dir;  ///< "": the data set's default directory (fashion-mnist only)
    std::string split = "test";
    std::string config;
    std::string technology;
    core::LevelKind level = core::LevelKind::Golden;
    size_t limit = 0;
    unsigned cell_bits = 0;  ///< 0: the weight file's
    bool json = false;
    bool baseline = true;
    bool adc_histogram = false;
    TraceArgs trace_args;  ///< --trace and its companions as given
    TraceOptions trace;    ///< ... parsed
    bool python_check = false;
    uint64_t max_memory_mib = 0;  ///< 0: kDefaultMemoryShare of the machine's memory
    unsigned threads = 0;         ///< 0: every core
};

/// Share of the machine's physical memory a run may use unless --max-memory says otherwise.
constexpr double kDefaultMemoryShare = 0.75;

uint64_t memory_limit_bytes(const RunOptions& opt) {
    if (opt.max_memory_mib) return opt.max_memory_mib << 20;
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    if (pages <= 0 || page <= 0) return 0;
    return static_cast<uint64_t>(kDefaultMemoryShare * static_cast<double>(pages) * static_cast<double>(page));
}

// The Python twin (bitcim.evaluate) on the same file, configuration and images:
// its accuracy and how many predictions differ from ours (must be 0).
nlohmann::json python_check(const RunOptions& opt, const core::HwConfig& base, const std::vector<int>& predictions) {
    if (base.faults.active()) throw InputError("run: --python-check needs an ideal chip (the Python twin has no faults)");
    if (opt.cell_bits) throw InputError("run: --python-check takes the weight file's cell bits (drop --cell-bits)");
    if (opt.split != "test") throw InputError("run: --python-check evaluates the test split");
    const char* env = std::getenv("BITCIM_MODELS_DIR");
    const std::string models = env ? env : BITCIM_MODELS_DIR;
    namespace fs = std::filesystem;
    const fs::path dir = fs::temp_directory_path() / ("bitcim_check_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    std::ofstream(dir / "cfg.json") << core::to_json(base).dump() << "\n";
    const auto quote = shell_quote;
    const std::string cmd = "PYTHONPATH=" + quote(models) + " /usr/bin/python3 -m bitcim.evaluate --weights " +
                            quote(opt.weights) + " --config " + quote((dir / "cfg.json").string()) + " --dataset " +
                            quote(opt.dataset) + " --data-dir " + quote(opt.data_dir) + " --limit " + std::to_string(predictions.size()) + " > " +
                            quote((dir / "py.json").string());
    const int rc = std::system(cmd.c_str());
    nlohmann::json py;
    try {
        if (rc == 0) py = nlohmann::json::parse(std::ifstream(dir / "py.json"));
    } catch (const std::exception&) {
        py = nullptr;
    }
    fs::remove_all(dir);
    if (rc != 0 || !py.contains("predictions"))
        throw InputError("run: the Python twin failed (PYTHONPATH=" + models + " /usr/bin/python3 -m bitcim.evaluate)");
    const auto theirs = py["predictions"].get<std::vector<int>>();
    size_t mismatches = theirs.size() == predictions.size() ? 0 : predictions.size();
    for (size_t i = 0; i < std::min(theirs.size(), predictions.size()); ++i) mismatches += theirs[i] != predictions[i];
    return {{"accuracy", py["accuracy"]}, {"mismatching_predictions", mismatches}};
}

struct Totals {
    core::EnergyReport energy;
    double latency_ns = 0;
    size_t correct = 0;
};

// Per node of the digital periphery: its element operations, energy and time
// (added to `total` and `latency`).
nlohmann::json periphery_report(const std::vector<core::PeripheryStats>& periphery, const core::Technology& tech,
                                core::EnergyReport& total, double& latency) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const core::PeripheryStats& p : periphery) {
        const core::EnergyReport e = core::energy_of(p.ops, tech);
        total += e;
        latency += p.latency_ns;
        nodes.push_back({{"name", p.name},
                         {"op", p.op},
                         {"adds", p.ops.adds},
                         {"multiplies", p.ops.multiplies},
                         {"compares", p.ops.compares},
                         {"energy_pj", e.periphery_pj},
                         {"latency_ns", p.latency_ns}});
    }
    return nodes;
}

// Index generator steps per layer (D-060): a network file that carries an LFSR has each
// layer's pruning pattern regenerated once, when the layer is written to its crossbars;
// none without one.
std::vector<uint64_t> lfsr_steps(const core::WeightFile& file, const core::Network& net) {
    std::vector<uint64_t> steps(net.layers(), 0);
    const std::optional<core::LfsrDesc>& lfsr = file.network().lfsr;
    if (!lfsr) return steps;
    const core::LfsrParams params{lfsr->width, lfsr->taps, lfsr->seed};
    for (size_t li = 0; li < net.layers(); ++li)
        steps[li] = core::lfsr_pruning_pattern(core::layer_lfsr(params, li), file.ints(net.desc(li).weight)).steps;
    return steps;
}

// The run's crossbar energy, summed once for the report and the baseline: per layer its
// counters' energy with its LFSR steps (D-060) and its share of the chip's costs (D-075);
// the total also holds the chip's control energy (the periphery is added apart).
struct RunEnergy {
    std::vector<core::EnergyReport> layers;
    core::EnergyReport total;
};

RunEnergy run_energy(const core::Network& net, const core::NetworkChip& chip,
                     const std::vector<core::LayerStats>& stats, size_t images, const core::Technology& tech,
                     const std::vector<uint64_t>& lfsr) {
    const core::ChipEnergy chip_e = core::chip_energy(chip, net, stats, images, tech);
    RunEnergy r;
    r.total += chip_e.control;
    for (size_t li = 0; li < stats.size(); ++li) {
        core::EnergyReport e = core::energy_of(stats[li].counters, net.config(li), tech, lfsr[li]);
        e += chip_e.layers[li];
        r.total += e;
        r.layers.push_back(e);
    }
    return r;
}

Totals totals(const core::Network& net, const core::NetworkChip& chip, const core::NetworkRun& run,
              const std::vector<uint8_t>& labels, const core::Technology& tech, const std::vector<uint64_t>& lfsr) {
    Totals t;
    const std::vector<std::vector<float>>& logits = run.logits;
    t.energy = run_energy(net, chip, run.stats, logits.size(), tech, lfsr).total;
    for (const core::LayerStats& s : run.stats) t.latency_ns += s.latency_ns;
    periphery_report(run.periphery, tech, t.energy, t.latency_ns);
    for (size_t i = 0; i < logits.size(); ++i)
        t.correct += static_cast<size_t>(std::max_element(logits[i].begin(), logits[i].end()) - logits[i].begin()) == labels[i];
    return t;
}

// The configuration that ran, not the one asked for: cfg.json with the weight file's number
// format, the cells the weights were sliced into (--cell-bits or the file's) and one ADC
// resolution per slice, as core::layer_config made them for the first crossbar layer (#20: a
// run with --cell-bits 1 reported cfg.json's 2 cells). Layers of another format than the
// first carry their own "config".
nlohmann::json ran_config(const core::Network& net) { return core::to_json(net.config(0)); }

void run(const RunOptions& opt, const core::Level& level) {
    const core::HwConfig base = opt.config.empty() ? core::parse_hw_config(nlohmann::json::object(), "defaults")
                                                     : core::load_hw_config(opt.config);
    const core::Technology tech =
        opt.technology.empty() ? core::default_technology() : core::load_technology(opt.technology);
    const core::WeightFile file = core::WeightFile::load(opt.weights);
    const core::Network net(file, base, tech, opt.cell_bits);
    // The network on the configured chip: refused here, before any image, if it does not fit.
    const core::NetworkChip chip = core::plan_chip(net, base, tech);
    const std::vector<uint64_t> lfsr = lfsr_steps(file, net);
    const core::Dataset data = core::load_dataset(opt.dataset, opt.data_dir, opt.split);
    size_t per_image = 1;
    std::string expected;
    for (unsigned d : net.input_shape()) per_image *= d, expected += (expected.empty() ? "" : "x") + std::to_string(d);
    const std::vector<unsigned> shape = {data.channels, data.rows, data.cols};
    if (size_t{data.channels} * data.rows * data.cols != per_image ||
        (net.input_shape().size() == 3 && net.input_shape() != shape))
        throw InputError(opt.data_dir + ": " + opt.dataset + " images are " + std::to_string(data.channels) + "x" +
                         std::to_string(data.rows) + "x" + std::to_string(data.cols) + ", the network (" + opt.weights +
                         ") expects " + expected);
    const size_t n = opt.limit ? std::min<size_t>(opt.limit, data.count) : data.count;
    check_trace_window(opt.trace, n);

    std::vector<std::vector<uint8_t>> images;
    for (size_t i = 0; i < n; ++i)
        images.emplace_back(data.pixels.begin() + static_cast<long>(i * per_image),
                            data.pixels.begin() + static_cast<long>((i + 1) * per_image));
    Progress progress(n);
    if (opt.adc_histogram && !level.supports_adc_histograms())
        throw InputError("run: --adc-histogram is offered at the golden and tlm levels");
    core::NetworkRunOptions run_opt;
    run_opt.batch_images = kBatchImages;
    run_opt.progress = [&progress](size_t done) { progress.update(done); };
    run_opt.adc_codes = opt.adc_histogram;
    run_opt.memory_limit_bytes = memory_limit_bytes(opt);
    run_opt.notice = [](const std::string& line) { std::cerr << "run: " << line << "\n"; };
    run_opt.chip_mapping = &chip.mapping;
    core::NetworkRun result = level.run_network(net, tech, images, run_opt);
    if (!result.extras.waveforms.empty()) std::cerr << result.extras.waveforms << "\n";
    const std::vector<core::LayerStats>& stats = result.stats;
    const std::vector<std::vector<float>>& logits = result.logits;
    std::vector<int> predictions;
    size_t correct = 0;
    for (size_t i = 0; i < n; ++i) {
        const int pred = static_cast<int>(std::max_element(logits[i].begin(), logits[i].end()) - logits[i].begin());
        predictions.push_back(pred);
        correct += pred == data.labels[i];
    }

    const RunEnergy energy = run_energy(net, chip, stats, n, tech, lfsr);
    core::EnergyReport total = energy.total;
    nlohmann::json layers = nlohmann::json::array();
    double latency = 0;
    for (size_t li = 0; li < stats.size(); ++li) {
        const core::EnergyReport& e = energy.layers[li];
        latency += stats[li].latency_ns;
        layers.push_back({{"name", stats[li].name},
                          {"energy_pj", core::to_json(e)},
                          {"latency_ns", stats[li].latency_ns},
                          {"adc_conversions", stats[li].counters.adc_conversions},
                          {"adc_saturations", stats[li].counters.adc_saturations},
                          {"lfsr_steps", lfsr[li]},
                          {"crossbar_reads", stats[li].counters.crossbar_reads},
                          {"cell_reads", stats[li].counters.cell_reads},
                          {"shift_adds", stats[li].counters.shift_adds},
                          {"crossbars", net.crossbars(li)},
                          {"slice_nonzero", core::slice_nonzero_ratio(net.weights(li), net.config(li))},
                          {"crossbar_utilization", net.crossbar_utilization(li)},
                          {"weight_positions", net.weight_positions(li)},
                          {"mapped_weights", net.mapped_weights(li)},
                          {"group_utilization", static_cast<double>(net.mapped_positions(li)) /
                                                    static_cast<double>(std::max<uint64_t>(net.mapped_weights(li), 1))}});
        if (opt.adc_histogram) layers.back()["adc_codes"] = stats[li].counters.adc_codes;
        if (core::to_json(net.config(li)) != ran_config(net)) layers.back()["config"] = core::to_json(net.config(li));
        if (base.faults.active()) {
            const core::FaultCounts f = net.fault_counts(li);
            layers.back()["faults"] = {{"cells", f.cells}, {"stuck_lrs", f.stuck_lrs}, {"stuck_hrs", f.stuck_hrs},
                                       {"stuck_changed", f.stuck_changed}};
        }
    }
    const nlohmann::json periphery = periphery_report(result.periphery, tech, total, latency);
    const double accuracy = n ? static_cast<double>(correct) / static_cast<double>(n) : 0.0;
    const nlohmann::json python = opt.python_check ? python_check(opt, base, predictions) : nlohmann::json();
    // The ISAAC-like baseline: the same network and images, every row of a crossbar
    // driven at once and 8-bit ADCs on every slice.
    nlohmann::json baseline, savings;
    if (opt.baseline && n) {
        core::HwConfig isaac = base;
        isaac.adc_bits.assign(isaac.num_adc_groups(), kBaselineAdcBits);
        isaac.adc_full_scale.clear();
        isaac.adc_mode = core::AdcMode::Clip;
        isaac.parallel_rows = isaac.xbar_rows;
        isaac.mapping = core::Mapping::Dense;
        isaac.faults = {};
        // On the same chip, reprogrammed in rounds if its dense mapping does not fit.
        isaac.chip.reprogram = true;
        const core::Network base_net(file, isaac, tech, opt.cell_bits);
        core::NetworkChip base_chip;
        try {
            base_chip = core::plan_chip(base_net, isaac, tech);
        } catch (const InputError& e) {
            throw InputError(std::string("run: the 8-bit-ADC baseline (dense mapping): ") + e.what() +
                             " (--no-baseline skips it)");
        }
        core::NetworkRunOptions base_opt;
        base_opt.batch_images = kBatchImages;
        base_opt.memory_limit_bytes = run_opt.memory_limit_bytes;
        const core::NetworkRun b_run =
            core::GoldenLevel(resolve_threads(opt.threads)).run_network(base_net, tech, images, base_opt);
        const Totals b = totals(base_net, base_chip, b_run, data.labels, tech, lfsr);
        baseline = {{"description", "same network and images, all crossbar rows per read, 8-bit ADCs on every slice"},
                    {"accuracy", static_cast<double>(b.correct) / static_cast<double>(n)},
                    {"energy_pj", core::to_json(b.energy)}, {"latency_ns", b.latency_ns}};
        savings = {{"energy", b.energy.total_pj() / total.total_pj()},
                   {"adc_energy", b.energy.adc_pj / total.adc_pj},
                   {"latency", b.latency_ns / latency}};
    }
    // The chip's figures as the level measured them (tlm: its pipeline), else the analytic ones.
    const core::ChipTiming timing = result.extras.chip_timing ? *result.extras.chip_timing : chip.mapping.timing();
    const Headline figures = headline(net, chip, timing, total, n);
    if (opt.json) {
        nlohmann::json j = {{"weights", opt.weights}, {"level", level.name()}, {"images", n}, {"accuracy", accuracy},
                            {"energy_pj", core::to_json(total)}, {"latency_ns", latency}, {"layers", layers}, {"periphery", periphery},
                            {"predictions", predictions}, {"config", ran_config(net)}};
        j["area_mm2"] = core::to_json(chip.area);
        j["chip"] = chip_report(chip, timing, result.extras.chip_timing.has_value(), figures);
        if (result.extras.cycle) j["cycle"] = to_json(*result.extras.cycle);
        if (!python.is_null()) j["python"] = python;
        if (!baseline.is_null()) j["baseline"] = baseline, j["savings"] = savings;
        std::cout << j.dump(1) << "\n";
        if (!python.is_null() && python["mismatching_predictions"] != 0) std::exit(kExitMismatch);
        return;
    }
    std::printf("%s on %zu %s %s images (%s level): accuracy %.2f%%\n", opt.weights.c_str(), n, opt.dataset.c_str(),
                opt.split.c_str(), level.name().c_str(), 100.0 * accuracy);
    std::printf("energy per image: %.1f nJ (cells %.1f, ADC %.1f, shift-add %.1f, digital periphery %.1f, DACs %.1f, "
                "buffers %.1f, programming %.1f, control %.1f); crossbar and periphery time per image %.2f us\n",
                total.total_pj() / n / 1e3, total.cells_pj / n / 1e3, total.adc_pj / n / 1e3,
                total.shift_add_pj / n / 1e3, total.periphery_pj / n / 1e3, total.dac_pj / n / 1e3,
                total.buffer_pj / n / 1e3, total.programming_pj / n / 1e3, total.control_pj / n / 1e3, latency / n / 1e3);
    if (!python.is_null())
        std::printf("Python twin (bitcim.evaluate, same file, configuration and images): accuracy %.2f%%, "
                    "mismatching predictions: %zu\n",
                    100.0 * python["accuracy"].get<double>(), python["mismatching_predictions"].get<size_t>());
    if (!baseline.is_null())
        std::printf("savings vs the 8-bit-ADC baseline (accuracy %.2f%%), baseline / this, >1 is better: "
                    "energy %.2fx, ADC energy %.2fx, latency %.2fx\n",
                    100.0 * baseline["accuracy"].get<double>(), savings["energy"].get<double>(),
                    savings["adc_energy"].get<double>(), savings["latency"].get<double>());
    print_chip(chip, timing, figures);
    int name_width = 8;  // the column fits the longest layer name (graph nodes are dotted paths)
    for (const auto& l : layers) name_width = std::max(name_width, static_cast<int>(l["name"].get<std::string>().size()));
    std::printf("%-*s %13s %10s  %s\n", name_width, "layer", "energy/img nJ", "crossbars", "ADC saturations (MSB..LSB)");
    for (const auto& l : layers) {
        std::string sat;
        for (uint64_t v : l["adc_saturations"]) sat += (sat.empty() ? "" : "/") + std::to_string(v);
        std::printf("%-*s %13.2f %10u  %s\n", name_width, l["name"].get<std::string>().c_str(),
                    l["energy_pj"]["total"].get<double>() / n / 1e3, l["crossbars"].get<unsigned>(), sat.c_str());
    }
    if (!python.is_null() && python["mismatching_predictions"] != 0) std::exit(kExitMismatch);
}

}  // namespace

void add_run_command(CLI::App& app) {
    auto opt = std::make_shared<RunOptions>();
    CLI::App* cmd = app.add_subcommand("run", "Run a trained network (weight file) over a data set through the model");
    cmd->add_option("--weights", opt->weights, "weight file (weights/FORMAT.md)")->required();
    add_dataset_options(cmd, opt->dataset, opt->data_dir);
    cmd->add_option("--split", opt->split, "train or test")->check(CLI::IsMember({"train", "test"}))->capture_default_str();
    cmd->add_option("--limit", opt->limit, "first N images only");
    cmd->add_option("--config", opt->config, "cfg.json: crossbar geometry and ADCs");
    cmd->add_option("--tech", opt->technology, "technology JSON (default: built in)");
    add_level_option(cmd, opt->level, "fidelity level: golden, tlm (chip over TLM) or cycle (Verilated SAR ADCs)");
    add_trace_options(cmd, opt->trace_args);
    cmd->add_option("--cell-bits", opt->cell_bits, "slice the weights into cells of this many bits instead of the file's")
        ->check(CLI::IsMember({1u, 2u, 4u}));
    cmd->add_flag("--json", opt->json, "report as JSON, predictions included");
    cmd->add_option("--max-memory", opt->max_memory_mib,
                    "MiB the run may use (default: 75% of the machine's memory); a batch that would not fit is "
                    "shrunk, a network whose one image does not fit is refused")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--python-check", opt->python_check,
                  "also evaluate the network with the Python twin (bitcim.evaluate) and count mismatching "
                  "predictions; exit status 3 if any");
    cmd->add_flag("--adc-histogram", opt->adc_histogram,
                  "count conversions by ADC code per slice (JSON adc_codes; forms every code, slower)");
    cmd->add_flag("!--no-baseline", opt->baseline, "skip the 8-bit-ADC baseline run (and the savings ratios)");
    add_threads_option(cmd, opt->threads,
                       "threads for the golden level and the baseline, images split between them (same results for "
                       "every count); tlm and cycle simulate on one");
    cmd->callback([opt]() {
        opt->data_dir = resolve_data_dir("run", opt->dataset, opt->data_dir);
        opt->trace = parse_trace_args(opt->trace_args, opt->level);
        const std::unique_ptr<core::Level> level = make_level(opt->level, {opt->trace, opt->threads});
        if (opt->trace.enabled() && !level->has_time())
            throw InputError("run: --trace needs --level tlm or cycle (the golden model has no time)");
        run(*opt, *level);
    });
}

}  // namespace bitcim::cli

// `bitcim sweep`: `bitcim run` over the product of ADC resolutions, parallel rows,
// crossbar sizes, cell bits and the chip's tiles and replication, configurations in
// parallel processes or as one Slurm job array, resumable (a finished configuration's
// report is kept and not run again), then one CSV with accuracy, energy, area, latency and
// throughput, and each point's status: ok, skipped (it cannot exist) or failed, with why.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/chip_columns.h"
#include "app/cli.h"
#include "app/levels.h"
#include "core/errors.h"
#include "app/run_pool.h"
#include "io/weight_file.h"
#include "network/network.h"

namespace bitcim::cli {

namespace {

namespace fs = std::filesystem;

struct SweepOptions {
    std::string weights;
    std::string dataset = "fashion-mnist";
    std::string data_dir;  ///< "": the data set's default directory
    std::string out = "sweep-out";
    std::string level = "golden";
    std::vector<std::string> adc_bits = {"8,8,8,8", "1,3,3,3"};
    std::vector<unsigned> parallel_rows = {128};
    std::vector<unsigned> xbar = {128};
    std::vector<unsigned> cell_bits = {2};
    std::vector<unsigned> tiles;             ///< empty: the chip's default tiles, no key suffix
    std::vector<std::string> replication;    ///< "on" / "off"; empty: the chip's default (on), no key suffix
    size_t limit = 1000;
    unsigned jobs = 0;
    unsigned threads = 0;  ///< threads of each run; 0: the cores shared between the runs at once
    bool adc_histogram = false;
    EngineOptions engine;
};

struct Point {
    std::string key;
    nlohmann::json config;
    unsigned cell_bits;
    std::optional<unsigned> tiles;
    std::optional<bool> replication;
    std::string skipped;  ///< why this point cannot exist ("": it may)
};

// An axis given on the command line, or one unset value (the chip's default).
template <typename T>
std::vector<std::optional<T>> axis(const std::vector<T>& values) {
    if (values.empty()) return {std::nullopt};
    return std::vector<std::optional<T>>(values.begin(), values.end());
}

std::vector<unsigned> parse_bits(const std::string& text) {
    std::vector<unsigned> bits;
    for (double v : parse_number_list(text, "sweep: --adc-bits", 1, 16)) {
        if (v != static_cast<unsigned>(v))
            throw InputError("sweep: --adc-bits '" + text + "' is not a comma-separated list of 1..16");
        bits.push_back(static_cast<unsigned>(v));
    }
    return bits;
}

std::string dashed(const std::vector<unsigned>& bits) {
    std::string tag;
    for (unsigned b : bits) tag += (tag.empty() ? "" : "-") + std::to_string(b);
    return tag;
}

// Why a point cannot exist, checked before anything runs: its crossbar geometry, and every
// layer of the network sliced into its cells (core::layer_config, as `bitcim run` does it);
// "" if it may. A list of ADC resolutions that are not all the same must name every slice:
// `bitcim run` would otherwise give every slice the first one.
std::string why_impossible(const core::WeightFile& file, const nlohmann::json& cfg, unsigned cell_bits) {
    const unsigned p = cfg["parallel_rows"], x = cfg["xbar_rows"];
    if (p > x || x % p) return "parallel rows " + std::to_string(p) + " do not divide crossbar size " + std::to_string(x);
    try {
        const core::HwConfig base = core::parse_hw_config(cfg, "sweep point");
        for (const core::LayerDesc& layer : file.network().layers) {
            const core::HwConfig c = core::layer_config(base, layer, cell_bits);
            const std::vector<unsigned>& bits = base.adc_bits;
            if (bits.size() != c.num_adc_groups() && std::adjacent_find(bits.begin(), bits.end(), std::not_equal_to<>()) != bits.end())
                return "ADC bits " + dashed(bits) + " name " + std::to_string(bits.size()) + " slices; layer \"" +
                       layer.name + "\" has " + std::to_string(c.weight_bits) + "-bit weights in " +
                       std::to_string(cell_bits) + "-bit cells: " + std::to_string(c.num_adc_groups()) + " slices";
        }
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

void run(const SweepOptions& opt) {
    const core::WeightFile file = core::WeightFile::load(opt.weights);  // refuse a bad file here, not in every child
    std::vector<std::optional<bool>> switches;
    for (const std::string& r : opt.replication) switches.push_back(parse_switch(r, "sweep: --replication"));
    if (switches.empty()) switches.push_back(std::nullopt);
    std::vector<Point> points;
    for (const std::string& adc : opt.adc_bits)
        for (unsigned p : opt.parallel_rows)
            for (unsigned x : opt.xbar)
                for (unsigned c : opt.cell_bits)
                    for (const std::optional<unsigned>& t : axis(opt.tiles))
                        for (const std::optional<bool>& rep : switches) {
                            std::vector<unsigned> bits = parse_bits(adc);
                            // Chip axes add to the key only when swept: earlier campaigns keep their keys and resume.
                            std::string key = "adc" + dashed(bits) + "_p" + std::to_string(p) + "_x" + std::to_string(x) + "_c" + std::to_string(c);
                            if (t) key += "_t" + std::to_string(*t);
                            if (rep) key += *rep ? "_rep" : "_norep";
                            nlohmann::json cfg = {{"adc_bits", bits}, {"parallel_rows", p}, {"xbar_rows", x}, {"xbar_cols", x}};
                            if (t || rep) cfg["chip"] = chip_axes(t, rep);
                            points.push_back({key, cfg, c, t, rep, why_impossible(file, cfg, c)});
                        }
    // Points that cannot exist are skipped, with the reason in sweep.csv; a grid with no
    // point that can is refused.
    std::vector<RunJob> jobs, runnable;
    size_t skipped = 0;
    for (const Point& pt : points) {
        jobs.push_back({pt.key, pt.config,
                        {"--weights", opt.weights, "--data-dir", opt.data_dir, "--limit", std::to_string(opt.limit),
                         "--level", opt.level, "--cell-bits", std::to_string(pt.cell_bits), "--no-baseline"}});
        if (opt.adc_histogram) jobs.back().args.push_back("--adc-histogram");
    }
    add_dataset_args(jobs, opt.dataset);
    for (size_t i = 0; i < points.size(); ++i) {
        if (points[i].skipped.empty()) {
            runnable.push_back(jobs[i]);
        } else {
            ++skipped;
            std::fprintf(stderr, "sweep: %s skipped: %s\n", points[i].key.c_str(), points[i].skipped.c_str());
        }
    }
    if (runnable.empty())
        throw InputError("sweep: no point of the grid can exist (" + std::to_string(points.size()) + " points), e.g. " +
                         points.front().key + ": " + points.front().skipped);
    if (!opt.engine.collect) {
        save_campaign_command(opt.out, "sweep");
        if (!run_jobs(opt.out, runnable, opt.jobs, "sweep", opt.threads, opt.engine)) return;  // a Slurm array runs them
    }
    std::vector<Outcome> outcomes;
    {
        const std::vector<Outcome> ran = job_outcomes(opt.out, runnable);
        size_t r = 0;
        for (const Point& pt : points) outcomes.push_back(pt.skipped.empty() ? ran[r++] : Outcome{"skipped", pt.skipped});
    }

    const fs::path csv_path = fs::path(opt.out) / "sweep.csv";
    std::ofstream csv(csv_path);
    csv << "key,adc_bits,parallel_rows,xbar,cell_bits,tiles,replication,images,accuracy,energy_pj_per_image,cells_pj,"
           "adc_pj,shift_add_pj,periphery_pj,dac_pj,buffers_pj,programming_pj,control_pj,latency_ns_per_image,"
           "saturations_per_image,"
        << kChipColumns << ",status,reason\n";
    std::map<std::string, size_t> counts;
    for (size_t i = 0; i < points.size(); ++i) {
        const Point& pt = points[i];
        const Outcome& o = outcomes[i];
        ++counts[o.status];
        const std::string bits = dashed(pt.config["adc_bits"].get<std::vector<unsigned>>());
        if (o.status != "ok") {
            // The grid's own columns, the measured ones empty.
            const std::string tiles = pt.tiles ? std::to_string(*pt.tiles) : "";
            const std::string rep = pt.replication ? (*pt.replication ? "on" : "off") : "";
            csv << job_stem(jobs[i]) << "," << bits << "," << pt.config["parallel_rows"] << "," << pt.config["xbar_rows"]
                << "," << pt.cell_bits << "," << tiles << "," << rep << std::string(13 + kChipColumnCount, ',') << ","
                << o.status << "," << csv_field(o.reason) << "\n";
            if (o.status == "failed") std::fprintf(stderr, "sweep: %s failed: %s\n", pt.key.c_str(), o.reason.c_str());
            continue;
        }
        const nlohmann::json r = read_report(opt.out, jobs[i]);
        const double n = r["images"].get<double>();
        uint64_t sat = 0;
        for (const auto& l : r["layers"])
            for (uint64_t s : l["adc_saturations"]) sat += s;
        const auto& e = r["energy_pj"];
        // Per image; reports of older resumed runs lack the later components (0).
        auto per_image = [&](const char* part) { return e.value(part, 0.0) / n; };
        const nlohmann::json chip = r.value("chip", nlohmann::json::object()).value("config", nlohmann::json::object());
        csv << job_stem(jobs[i]) << "," << bits << "," << pt.config["parallel_rows"] << "," << pt.config["xbar_rows"] << ","
            << pt.cell_bits << "," << chip.value("tiles", 0u) << ","
            << (chip.empty() ? "" : chip.value("replication", true) ? "on" : "off") << "," << r["images"] << ","
            << r["accuracy"] << "," << per_image("total") << "," << per_image("cells") << "," << per_image("adc") << ","
            << per_image("shift_add") << "," << per_image("periphery") << "," << per_image("dac") << ","
            << per_image("buffers") << "," << per_image("programming") << "," << per_image("control") << ","
            << r["latency_ns"].get<double>() / n << "," << sat / n << "," << chip_columns(r) << ",ok,\n";
    }
    csv.close();
    std::string summary;
    for (const auto& [status, count] : counts) summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + status;
    std::printf("sweep: %zu configurations (%s) in %s\nplots: PYTHONPATH=models /usr/bin/python3 -m bitcim.plots %s\n",
                points.size(), summary.c_str(), csv_path.string().c_str(), opt.out.c_str());
    if (!counts.count("ok") && !counts.count("pending") && !counts.count("failed"))
        throw InputError("sweep: no point of the grid can exist, e.g. " + points.front().key + ": " + outcomes.front().reason);
    if (counts.count("failed")) {
        std::fflush(stdout);
        std::fprintf(stderr, "sweep: %zu configurations failed (status and reason in %s)\n", counts["failed"],
                     csv_path.string().c_str());
        std::exit(kExitFailed);
    }
}

}  // namespace

void add_sweep_command(CLI::App& app) {
    auto opt = std::make_shared<SweepOptions>();
    CLI::App* cmd = app.add_subcommand("sweep", "Run a network over a grid of hardware configurations (parallel, resumable)");
    cmd->add_option("--weights", opt->weights, "weight file (required but with --collect alone)");
    add_dataset_options(cmd, opt->dataset, opt->data_dir);
    cmd->add_option("--out", opt->out, "directory for the reports and sweep.csv")->capture_default_str();
    cmd->add_option("--level", opt->level, "fidelity level")->check(CLI::IsMember({"golden", "tlm"}))->capture_default_str();
    cmd->add_option("--adc-bits", opt->adc_bits, "ADC bits per slice, MSB first, e.g. 1,3,3,3 (repeat the option)")
        ->capture_default_str();
    cmd->add_option("--parallel-rows", opt->parallel_rows, "rows driven at once (several allowed)")->capture_default_str();
    cmd->add_option("--xbar", opt->xbar, "crossbar size R = C (several allowed)")->capture_default_str();
    cmd->add_option("--cell-bits", opt->cell_bits, "bits per cell (several allowed)")
        ->check(CLI::IsMember({1u, 2u, 4u}))->capture_default_str();
    cmd->add_option("--tiles", opt->tiles, "the chip's tiles (several allowed; default: the technology's chip)")
        ->check(CLI::Range(1u, 1u << 20));
    cmd->add_option("--replication", opt->replication, "replicate layers into spare crossbars: on, off (both allowed)")
        ->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--limit", opt->limit, "test images per configuration")->capture_default_str();
    cmd->add_option("--jobs", opt->jobs, "configurations at once (default: cores)");
    cmd->add_option("--threads", opt->threads,
                    "threads of each bitcim run (default: the cores shared between the configurations at once; the reports are "
                    "the same for every count)")
        ->check(CLI::Range(1u, kMaxThreads));
    cmd->add_flag("--adc-histogram", opt->adc_histogram, "count conversions by ADC code (for the histogram plots)");
    add_engine_options(cmd, opt->engine);
    cmd->callback([opt]() {
        if (opt->weights.empty()) {
            if (opt->engine.collect) collect_saved_campaign(opt->out, "sweep");
            throw InputError("sweep: --weights is required");
        }
        opt->data_dir = resolve_data_dir("sweep", opt->dataset, opt->data_dir);
        run(*opt);
    });
}

}  // namespace bitcim::cli

// `bitcim sweep`: `bitcim run` over the product of ADC resolutions, parallel rows,
// crossbar sizes, cell bits and the chip's tiles and replication, configurations in
// parallel processes, resumable (a finished configuration's report is kept and not run
// again), then one CSV with accuracy, energy, area, latency and throughput.
#include <cstdio>
#include <filesystem>
#include <fstream>
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
};

struct Point {
    std::string key;
    nlohmann::json config;
    unsigned cell_bits;
    std::optional<unsigned> tiles;
    std::optional<bool> replication;
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

void run(const SweepOptions& opt) {
    core::WeightFile::load(opt.weights);  // refuse a bad file here, not in every child
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
                            if (p > x || x % p) throw InputError("sweep: parallel rows " + std::to_string(p) + " do not divide crossbar size " + std::to_string(x));
                            std::vector<unsigned> bits = parse_bits(adc);
                            std::string tag;
                            for (unsigned b : bits) tag += (tag.empty() ? "" : "-") + std::to_string(b);
                            // Chip axes add to the key only when swept: earlier campaigns keep their keys and resume.
                            std::string key = "adc" + tag + "_p" + std::to_string(p) + "_x" + std::to_string(x) + "_c" + std::to_string(c);
                            if (t) key += "_t" + std::to_string(*t);
                            if (rep) key += *rep ? "_rep" : "_norep";
                            nlohmann::json cfg = {{"adc_bits", bits}, {"parallel_rows", p}, {"xbar_rows", x}, {"xbar_cols", x}};
                            if (t || rep) cfg["chip"] = chip_axes(t, rep);
                            points.push_back({key, cfg, c, t, rep});
                        }
    std::vector<RunJob> jobs;
    for (const Point& pt : points)
        jobs.push_back({pt.key, pt.config,
                        {"--weights", opt.weights, "--data-dir", opt.data_dir, "--limit", std::to_string(opt.limit),
                         "--level", opt.level, "--cell-bits", std::to_string(pt.cell_bits), "--no-baseline"}});
    if (opt.adc_histogram)
        for (RunJob& job : jobs) job.args.push_back("--adc-histogram");
    add_dataset_args(jobs, opt.dataset);
    run_jobs(opt.out, jobs, opt.jobs, "sweep", opt.threads);

    const fs::path csv_path = fs::path(opt.out) / "sweep.csv";
    std::ofstream csv(csv_path);
    csv << "key,adc_bits,parallel_rows,xbar,cell_bits,tiles,replication,images,accuracy,energy_pj_per_image,cells_pj,"
           "adc_pj,shift_add_pj,periphery_pj,dac_pj,buffers_pj,programming_pj,control_pj,latency_ns_per_image,"
           "saturations_per_image,"
        << kChipColumns << "\n";
    for (size_t i = 0; i < points.size(); ++i) {
        const Point& pt = points[i];
        const nlohmann::json r = read_report(opt.out, jobs[i]);
        const double n = r["images"].get<double>();
        uint64_t sat = 0;
        for (const auto& l : r["layers"])
            for (uint64_t s : l["adc_saturations"]) sat += s;
        std::string bits;
        for (unsigned b : pt.config["adc_bits"]) bits += (bits.empty() ? "" : "-") + std::to_string(b);
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
            << r["latency_ns"].get<double>() / n << "," << sat / n << "," << chip_columns(r) << "\n";
    }
    std::printf("sweep: %zu configurations in %s\nplots: PYTHONPATH=models /usr/bin/python3 -m bitcim.plots %s\n",
                points.size(), csv_path.string().c_str(), opt.out.c_str());
}

}  // namespace

void add_sweep_command(CLI::App& app) {
    auto opt = std::make_shared<SweepOptions>();
    CLI::App* cmd = app.add_subcommand("sweep", "Run a network over a grid of hardware configurations (parallel, resumable)");
    cmd->add_option("--weights", opt->weights, "weight file")->required();
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
    cmd->callback([opt]() {
        opt->data_dir = resolve_data_dir("sweep", opt->dataset, opt->data_dir);
        run(*opt);
    });
}

}  // namespace bitcim::cli

// `bitcim faults`: a fault-injection campaign. For each weight file, fault rate
// and seed, `bitcim run` on a configuration with that fault; then accuracy and
// ADC saturations against the rate, per network, as CSV, JSON and a table. Run
// on a bit-sparse and a dense network, it shows what bit-slice sparsity does to
// fault tolerance (a zero cell stuck at HRS is no fault at all).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app/chip_columns.h"
#include "app/cli.h"
#include "app/levels.h"
#include "core/errors.h"
#include "core/hw_config.h"
#include "app/run_pool.h"
#include "io/weight_file.h"

namespace bitcim::cli {

namespace {

namespace fs = std::filesystem;

struct FaultsOptions {
    std::vector<std::string> weights;
    std::string config;
    std::string kind = "stuck";
    std::string rates = "0,1e-4,1e-3,1e-2";
    unsigned seeds = 2;
    std::string dataset = "fashion-mnist";
    std::string data_dir;  ///< "": the data set's default directory
    std::string out = "faults-out";
    std::string level = "golden";
    size_t limit = 500;
    unsigned jobs = 0;
    unsigned threads = 0;  ///< threads of each run; 0: the cores shared between the runs at once
    std::optional<unsigned> tiles;       ///< the chip's tiles; unset: the configuration's
    std::optional<unsigned> xbar;        ///< crossbar size R = C; unset: the configuration's
    std::string replication;             ///< "on" / "off"; "": the configuration's
    EngineOptions engine;
};

// The campaign's configuration: --config (or the defaults) with the chip axes applied.
// A crossbar size also moves parallel rows and columns per ADC that were at the old size.
core::HwConfig campaign_config(const FaultsOptions& opt) {
    core::HwConfig c = opt.config.empty() ? core::parse_hw_config(nlohmann::json::object(), "defaults")
                                          : core::load_hw_config(opt.config);
    if (opt.xbar) {
        if (c.parallel_rows == c.xbar_rows) c.parallel_rows = *opt.xbar;
        if (c.columns_per_adc == c.xbar_cols) c.columns_per_adc = *opt.xbar;
        c.xbar_rows = c.xbar_cols = *opt.xbar;
    }
    if (opt.tiles) c.chip.tiles = *opt.tiles;
    if (!opt.replication.empty()) c.chip.replication = parse_switch(opt.replication, "faults: --replication");
    core::validate(c, "faults: the campaign configuration");
    return c;
}

// What a "rate" sets, per kind: a probability per cell, or a sigma.
const std::map<std::string, std::string> kKinds = {
    {"stuck", "cells stuck, half at LRS and half at HRS (probability per cell)"},
    {"stuck-lrs", "cells stuck at LRS, the top conductance level (probability per cell)"},
    {"stuck-hrs", "cells stuck at HRS, level 0 (probability per cell)"},
    {"sigma", "conductance variation on every level (sigma in level steps)"},
    {"adc-offset", "static ADC offset (sigma in LSBs)"},
    {"adc-noise", "ADC noise per conversion (sigma in LSBs)"},
};

nlohmann::json faults_of(const std::string& kind, double rate, unsigned seed) {
    nlohmann::json f = {{"seed", seed}};
    if (kind == "stuck") f["stuck_lrs_rate"] = rate / 2, f["stuck_hrs_rate"] = rate / 2;
    if (kind == "stuck-lrs") f["stuck_lrs_rate"] = rate;
    if (kind == "stuck-hrs") f["stuck_hrs_rate"] = rate;
    if (kind == "sigma") f["conductance_sigma"] = rate;
    if (kind == "adc-offset") f["adc_offset_sigma"] = rate;
    if (kind == "adc-noise") f["adc_noise_sigma"] = rate;
    return f;
}

struct Sample {
    double accuracy = 0, saturations_per_image = 0;
    uint64_t cells = 0, stuck = 0, stuck_changed = 0;
};

Sample sample_of(const nlohmann::json& r) {
    Sample s;
    s.accuracy = r.at("accuracy").get<double>();
    const double n = std::max(1.0, r.at("images").get<double>());
    for (const auto& l : r.at("layers")) {
        for (uint64_t v : l.at("adc_saturations")) s.saturations_per_image += static_cast<double>(v) / n;
        if (l.contains("faults")) {
            const auto& f = l["faults"];
            s.cells += f["cells"].get<uint64_t>();
            s.stuck += f["stuck_lrs"].get<uint64_t>() + f["stuck_hrs"].get<uint64_t>();
            s.stuck_changed += f["stuck_changed"].get<uint64_t>();
        }
    }
    return s;
}

void run(const FaultsOptions& opt) {
    if (!kKinds.count(opt.kind)) throw InputError("faults: --kind '" + opt.kind + "' is unknown");
    const std::vector<double> rates = parse_number_list(opt.rates, "faults: --rates", 0, INFINITY);
    if ((opt.kind == "stuck" || opt.kind == "stuck-lrs" || opt.kind == "stuck-hrs"))
        for (double r : rates)
            if (r > 1) throw InputError("faults: a stuck-cell rate of " + std::to_string(r) + " is above 1");
    if (opt.seeds == 0) throw InputError("faults: --seeds must be at least 1");
    for (const std::string& w : opt.weights) core::WeightFile::load(w);  // refuse a bad file here, not in a child
    const core::HwConfig base = campaign_config(opt);
    std::vector<RunJob> jobs;
    for (size_t w = 0; w < opt.weights.size(); ++w)
        for (size_t ri = 0; ri < rates.size(); ++ri)
            for (unsigned seed = 1; seed <= opt.seeds; ++seed) {
                nlohmann::json cfg = core::to_json(base);
                cfg["faults"] = faults_of(opt.kind, rates[ri], seed);
                core::parse_hw_config(cfg, "faults campaign configuration");  // fail here, not in a child
                char rate[32];
                std::snprintf(rate, sizeof rate, "%g", rates[ri]);
                jobs.push_back({"net" + std::to_string(w) + "_" + fs::path(opt.weights[w]).stem().string() + "_" +
                                    opt.kind + "_r" + rate + "_s" + std::to_string(seed),
                                cfg,
                                {"--weights", opt.weights[w], "--data-dir", opt.data_dir, "--limit",
                                 std::to_string(opt.limit), "--level", opt.level, "--no-baseline"}});
            }
    add_dataset_args(jobs, opt.dataset);
    if (!opt.engine.collect) {
        save_campaign_command(opt.out, "faults");
        if (!run_jobs(opt.out, jobs, opt.jobs, "faults", opt.threads, opt.engine)) return;  // a Slurm array runs them
    }
    // The summary averages over seeds: it needs every run. Each one that did not finish is named with its message.
    const std::vector<Outcome> outcomes = job_outcomes(opt.out, jobs);
    size_t pending = 0, bad = 0;
    for (size_t i = 0; i < jobs.size(); ++i) {
        if (outcomes[i].status == "ok") continue;
        outcomes[i].status == "pending" ? ++pending : ++bad;
        if (outcomes[i].status != "pending")
            std::fprintf(stderr, "faults: %s %s: %s\n", job_stem(jobs[i]).c_str(), outcomes[i].status.c_str(),
                         outcomes[i].reason.c_str());
    }
    if (bad) {
        std::fprintf(stderr, "faults: %zu of %zu runs did not finish (above); no summary written\n", bad, jobs.size());
        std::exit(kExitFailed);
    }
    if (pending) {
        std::fprintf(stderr, "faults: %zu of %zu runs are not finished yet (a Slurm array still queued or running?); "
                             "collect again when it has finished\n", pending, jobs.size());
        std::exit(kExitFailed);
    }

    std::ofstream csv(fs::path(opt.out) / "faults.csv");
    csv << "weights,kind,rate,seed,images,accuracy,saturations_per_image,cells,stuck_cells,stuck_changed,"
        << kChipColumns << "\n";
    nlohmann::json networks = nlohmann::json::array();
    std::printf("%-40s %10s %10s %10s %12s %10s\n", "weights", opt.kind.c_str(), "accuracy", "min..max",
                "sat/image", "changed");
    size_t j = 0;
    for (const std::string& weights : opt.weights) {
        nlohmann::json points = nlohmann::json::array();
        nlohmann::json slice_nonzero;
        for (double rate : rates) {
            std::vector<Sample> samples;
            for (unsigned seed = 1; seed <= opt.seeds; ++seed, ++j) {
                const nlohmann::json r = read_report(opt.out, jobs[j]);
                if (slice_nonzero.is_null()) {
                    slice_nonzero = nlohmann::json::object();
                    for (const auto& l : r["layers"]) slice_nonzero[l["name"].get<std::string>()] = l["slice_nonzero"];
                }
                samples.push_back(sample_of(r));
                const Sample& s = samples.back();
                csv << weights << "," << opt.kind << "," << rate << "," << seed << "," << r["images"] << ","
                    << s.accuracy << "," << s.saturations_per_image << "," << s.cells << "," << s.stuck << ","
                    << s.stuck_changed << "," << chip_columns(r) << "\n";
            }
            double mean = 0, lo = 1, hi = 0, sat = 0;
            uint64_t stuck = 0, changed = 0;
            for (const Sample& s : samples) {
                mean += s.accuracy / samples.size();
                sat += s.saturations_per_image / samples.size();
                lo = std::min(lo, s.accuracy), hi = std::max(hi, s.accuracy);
                stuck += s.stuck, changed += s.stuck_changed;
            }
            nlohmann::json accs = nlohmann::json::array();
            for (const Sample& s : samples) accs.push_back(s.accuracy);
            // Of the stuck cells, the share whose level actually changed.
            const nlohmann::json changed_share = stuck ? nlohmann::json(static_cast<double>(changed) / stuck) : nlohmann::json();
            points.push_back({{"rate", rate}, {"accuracy_mean", mean}, {"accuracy", accs}, {"saturations_per_image", sat},
                              {"stuck_cells", stuck}, {"stuck_changed_share", changed_share}});
            std::printf("%-40s %10g %9.2f%% %4.1f..%4.1f%% %12.1f %10s\n", weights.c_str(), rate, 100 * mean, 100 * lo,
                        100 * hi, sat, stuck ? (std::to_string(static_cast<int>(100.0 * changed / stuck)) + "%").c_str() : "-");
        }
        // The configuration that ran this network (its weight and cell bits are the file's).
        nlohmann::json ran = read_report(opt.out, jobs[j - 1]).at("config");
        ran.erase("faults");  // the last rate's: each point has its own
        networks.push_back({{"weights", weights}, {"config", ran},
                            {"slice_nonzero", slice_nonzero}, {"points", points}});
    }
    const nlohmann::json summary = {{"kind", opt.kind}, {"kind_meaning", kKinds.at(opt.kind)}, {"rates", rates},
                                    {"seeds", opt.seeds}, {"images", opt.limit}, {"level", opt.level},
                                    {"config", core::to_json(base)}, {"networks", networks}};
    std::ofstream(fs::path(opt.out) / "faults.json") << summary.dump(1) << "\n";
    std::printf("faults: %s/faults.csv, %s/faults.json\nplot: PYTHONPATH=models /usr/bin/python3 -m bitcim.plots %s\n",
                opt.out.c_str(), opt.out.c_str(), opt.out.c_str());
}

}  // namespace

void add_faults_command(CLI::App& app) {
    auto opt = std::make_shared<FaultsOptions>();
    CLI::App* cmd = app.add_subcommand("faults", "Fault-injection campaign: accuracy and saturations against fault rate");
    cmd->add_option("--weights", opt->weights,
                    "weight file (repeat to compare networks, e.g. bit-sparse vs dense; required but with --collect alone)");
    cmd->add_option("--config", opt->config, "cfg.json: crossbar geometry and ADCs (its faults are replaced)");
    std::string kinds;
    for (const auto& [k, v] : kKinds) kinds += "\n  " + k + ": " + v;
    cmd->add_option("--kind", opt->kind, "what a rate sets:" + kinds)->capture_default_str();
    cmd->add_option("--rates", opt->rates, "comma-separated rates (or sigmas)")->capture_default_str();
    cmd->add_option("--seeds", opt->seeds, "fault maps per rate (seeds 1..N)")->capture_default_str();
    add_dataset_options(cmd, opt->dataset, opt->data_dir);
    cmd->add_option("--out", opt->out, "directory for reports, faults.csv and faults.json")->capture_default_str();
    cmd->add_option("--level", opt->level, "fidelity level")->check(CLI::IsMember({"golden", "tlm"}))->capture_default_str();
    cmd->add_option("--tiles", opt->tiles, "the chip's tiles (default: the configuration's)")->check(CLI::Range(1u, 1u << 20));
    cmd->add_option("--xbar", opt->xbar, "crossbar size R = C (default: the configuration's)")->check(CLI::Range(1u, 4096u));
    cmd->add_option("--replication", opt->replication, "replicate layers into spare crossbars: on or off")
        ->check(CLI::IsMember({"on", "off"}));
    cmd->add_option("--limit", opt->limit, "test images per run")->capture_default_str();
    cmd->add_option("--jobs", opt->jobs, "runs at once (default: cores)");
    cmd->add_option("--threads", opt->threads,
                    "threads of each bitcim run (default: the cores shared between the runs at once; the reports are "
                    "the same for every count)")
        ->check(CLI::Range(1u, kMaxThreads));
    add_engine_options(cmd, opt->engine);
    cmd->callback([opt]() {
        if (opt->weights.empty()) {
            if (opt->engine.collect) collect_saved_campaign(opt->out, "faults");
            throw InputError("faults: --weights is required");
        }
        opt->data_dir = resolve_data_dir("faults", opt->dataset, opt->data_dir);
        run(*opt);
    });
}

}  // namespace bitcim::cli

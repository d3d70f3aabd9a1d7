// `bitcim mvm`: one layer's matrix-vector products through the model.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "app/levels.h"
#include "core/chip_area.h"
#include "core/crossbar_layer.h"
#include "io/csv.h"
#include "core/errors.h"
#include "core/hw_config.h"
#include "core/mvm_report.h"
#include "core/technology.h"
#include "network/level.h"

namespace bitcim::cli {

namespace {

struct MvmOptions {
    std::string matrix;
    std::string input;
    std::string config;
    std::string technology;
    core::LevelKind level = core::LevelKind::Golden;
    std::string trace;
    bool json = false;
    unsigned threads = 0;  ///< 0: every core
};

std::string sign_name(const core::HwConfig& c) {
    return c.sign == core::SignMode::Twos ? "two's complement" : "differential";
}

void run(const MvmOptions& opt, const core::Level& level) {
    const core::HwConfig cfg = opt.config.empty() ? core::parse_hw_config(nlohmann::json::object(), "defaults")
                                                    : core::load_hw_config(opt.config);
    const core::Technology tech =
        opt.technology.empty() ? core::default_technology() : core::load_technology(opt.technology);

    core::IntMatrix w;
    {  // the parsed file is freed once copied
        const auto w_csv = core::read_int_csv(
            opt.matrix, cfg.weight_min(), cfg.weight_max(),
            "weight_bits " + std::to_string(cfg.weight_bits) + ", " + sign_name(cfg) + " signs");
        w.rows = w_csv.rows();
        w.cols = w_csv.cols;
        w.data.assign(w_csv.values.begin(), w_csv.values.end());
    }

    std::vector<std::vector<uint32_t>> inputs;
    {
        const auto x_csv = core::read_int_csv(opt.input, 0, static_cast<int64_t>(cfg.input_max()),
                                              "input_bits " + std::to_string(cfg.input_bits) + ", unsigned");
        if (x_csv.cols != w.cols)
            throw InputError(opt.input + " line " + std::to_string(x_csv.lines.front()) + ": " +
                             std::to_string(x_csv.cols) + " values, but " + opt.matrix + " has " +
                             std::to_string(w.cols) + " columns");
        for (size_t i = 0; i < x_csv.rows(); ++i) inputs.emplace_back(x_csv.row(i), x_csv.row(i) + x_csv.cols);
    }

    const core::BitSlicedLayer layer(cfg, w, opt.matrix);  // validates and describes the mapping
    const core::MvmRun run = level.run_mvm(layer, w, inputs, tech);
    if (!run.extras.waveforms.empty()) std::cerr << run.extras.waveforms << "\n";
    core::MvmReport report = run.report;
    // The DACs drive every row of every crossbar read, at every level alike.
    report.energy.dac_pj = static_cast<double>(inputs.size() * layer.row_drives()) * tech.dac_drive_pj(cfg.dac_bits);

    if (opt.json) {
        nlohmann::json j = core::to_json(report, layer);
        j["level"] = level.name();
        j["config"] = core::to_json(cfg);
        // The configured chip's area (cfg.json "chip"), whatever the level runs the layer on.
        j["area_mm2"] = core::to_json(core::chip_area(cfg, core::resolve_chip(cfg.chip, tech), tech));
        if (run.extras.cycle) j["cycle"] = to_json(*run.extras.cycle);
        std::cout << j.dump(2) << "\n";
        return;
    }
    for (const auto& y : report.outputs) {
        for (size_t i = 0; i < y.size(); ++i) std::cout << (i ? "," : "") << y[i];
        std::cout << "\n";
    }
}

}  // namespace

void add_mvm_command(CLI::App& app) {
    auto opt = std::make_shared<MvmOptions>();
    CLI::App* cmd = app.add_subcommand("mvm", "Matrix-vector products of one layer through the crossbar model");
    cmd->add_option("--matrix", opt->matrix, "W.csv: quantized signed weights, rows = outputs")->required();
    cmd->add_option("--input", opt->input, "x.csv: unsigned inputs, one vector a line")->required();
    cmd->add_option("--config", opt->config, "cfg.json: hardware configuration (defaults if omitted)");
    cmd->add_option("--tech", opt->technology, "technology JSON (default: built-in config/technology.json)");
    add_level_option(cmd, opt->level, "fidelity level");
    cmd->add_option("--trace", opt->trace,
                    "waveforms: FILE.fst (one file, SystemC and every ADC's RTL at cycle, with a GTKWave view "
                    "FILE.gtkw), or FILE.vcd (tlm: the chip; cycle: FILE_sc.vcd and FILE_rtl.vcd)");
    cmd->add_flag("--json", opt->json, "print outputs, ADC counts, energy and latency as JSON");
    add_threads_option(cmd, opt->threads,
                       "threads for the golden level, input vectors split between them (same results for every "
                       "count); tlm and cycle simulate on one");
    cmd->callback([opt]() {
        const std::unique_ptr<core::Level> level = make_level(opt->level, {opt->trace, opt->threads});
        if (!opt->trace.empty() && !level->has_time())
            throw InputError("mvm: --trace needs --level tlm or cycle (the golden model has no time)");
        run(*opt, *level);
    });
}

}  // namespace bitcim::cli

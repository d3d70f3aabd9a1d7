// `bitcim lfsr`: the LFSR index generator's state sequence at golden or RTL level.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/cli.h"
#include "core/errors.h"
#include "core/lfsr.h"
#include "cycle/lfsr_rtl.h"

namespace bitcim::cli {

namespace {

struct LfsrOptions {
    unsigned width = 16;
    std::string taps = "0xB400";
    std::string seed = "0x1";
    uint64_t count = 20;
    std::string level = "golden";
    std::string trace;
};

// Accepts decimal or 0x-prefixed hexadecimal up to 32 bits.
uint32_t parse_u32(const std::string& field, const std::string& text) {
    try {
        size_t used = 0;
        const unsigned long long v = std::stoull(text, &used, 0);
        if (used == text.size() && v <= 0xFFFFFFFFull) return static_cast<uint32_t>(v);
    } catch (const std::exception&) {
    }
    throw InputError("lfsr: --" + field + " '" + text + "' is not a 32-bit number");
}

void run(const LfsrOptions& opt) {
    core::LfsrParams params;
    params.width = opt.width;
    params.taps = parse_u32("taps", opt.taps);
    params.seed = parse_u32("seed", opt.seed);
    core::validate(params);

    std::vector<uint32_t> states;
    LfsrWaveforms waves;
    if (opt.level == "golden") {
        states = core::lfsr_sequence(params, opt.count);
    } else {
        for (const LfsrStep& s : run_lfsr_rtl({{params, opt.count, 0}}, opt.trace, &waves)) states.push_back(s.state);
    }
    for (uint32_t s : states) std::printf("0x%X\n", s);
    if (!waves.systemc_vcd.empty())
        std::fprintf(stderr, "waveforms: %s (SystemC) and %s (RTL)\n", waves.systemc_vcd.c_str(),
                     waves.rtl_vcd.c_str());
}

}  // namespace

void add_lfsr_command(CLI::App& app) {
    auto opt = std::make_shared<LfsrOptions>();
    CLI::App* cmd = app.add_subcommand("lfsr", "Print the LFSR index generator's states, one per step");
    cmd->add_option("--width", opt->width, "register width in bits (2..32)")->capture_default_str();
    cmd->add_option("--taps", opt->taps, "Galois tap mask (hex or decimal)")->capture_default_str();
    cmd->add_option("--seed", opt->seed, "non-zero seed (hex or decimal)")->capture_default_str();
    cmd->add_option("--count", opt->count, "number of steps to print")->capture_default_str();
    cmd->add_option("--level", opt->level, "fidelity level")
        ->check(CLI::IsMember({"golden", "rtl"}))
        ->capture_default_str();
    cmd->add_option("--trace", opt->trace,
                    "with --level rtl: write PREFIX_sc.vcd and PREFIX_rtl.vcd");
    cmd->callback([opt]() {
        if (!opt->trace.empty() && opt->level != "rtl")
            throw InputError("lfsr: --trace needs --level rtl");
        run(*opt);
    });
}

}  // namespace bitcim::cli

// The waveform options of `bitcim run` (and `--trace` of mvm): --trace FILE.vcd|FILE.fst,
// --trace-images A:B, --trace-adcs LIST and --trace-bus FILE.log, parsed into
// TraceOptions with every refusal naming its option (exit status 2).
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "network/level.h"
#include "sim/trace.h"

namespace bitcim::cli {

struct TraceArgs {
    std::string path;
    std::string images;  ///< "A:B"
    std::string adcs;    ///< "all" or names, comma-separated
    std::string bus_log;
};

/// Adds the four options to `cmd`.
void add_trace_options(CLI::App* cmd, TraceArgs& args);

/// The options for a run at `level`; throws InputError naming the option at fault.
TraceOptions parse_trace_args(const TraceArgs& args, core::LevelKind level);

/// Refuses a window past the run's `images` (InputError naming --trace-images).
void check_trace_window(const TraceOptions& trace, size_t images);

}  // namespace bitcim::cli

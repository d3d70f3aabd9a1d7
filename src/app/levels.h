// The fidelity level of a command: its --level option, parsed once into a
// LevelKind, and the factory that makes the level.
#pragma once

#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "network/level.h"
#include "sim/trace.h"

namespace bitcim::cli {

struct LevelOptions {
    /// Waveforms and the bus log (sim/trace.h): FILE.fst, FILE.vcd (tlm) or FILE_sc.vcd +
    /// FILE_rtl.vcd (cycle); a disabled one for none.
    TraceOptions trace;
    /// Threads of the golden level (0: every core); the SystemC levels simulate on one.
    unsigned threads = 0;
};

/// Most threads --threads takes.
inline constexpr unsigned kMaxThreads = 1024;

/// Adds `--threads` to `cmd` into `threads` (0, the default: every core the process may use).
CLI::Option* add_threads_option(CLI::App* cmd, unsigned& threads, const std::string& help);

/// `threads` as given, or every core the process may use for 0.
unsigned resolve_threads(unsigned threads);

/// The level of `kind`, ready to run.
std::unique_ptr<core::Level> make_level(core::LevelKind kind, const LevelOptions& opt = {});

/// Adds `--level` to `cmd`: one of core::level_names(), parsed into `kind`
/// (its initial value is the default). Anything else is refused by the parser.
CLI::Option* add_level_option(CLI::App* cmd, core::LevelKind& kind, const std::string& help);

}  // namespace bitcim::cli

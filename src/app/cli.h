// Subcommands of the `bitcim` program. Each adds itself to the app and runs in
// its callback; bad input is thrown as bitcim::InputError (exit status 2).
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace bitcim::cli {

inline constexpr int kExitBadInput = 2;
/// A verification check failed (e.g. predictions differ from the Python twin's).
inline constexpr int kExitMismatch = 3;
/// Some points of a campaign failed (their messages are in its CSV and on stderr).
inline constexpr int kExitFailed = 1;

/// The numbers of a comma-separated option value, each within lo..hi; throws
/// InputError quoting `option` and the text otherwise.
std::vector<double> parse_number_list(const std::string& text, const std::string& option, double lo, double hi);

/// `s` as one CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break.
std::string csv_field(const std::string& s);

/// `s` as one single-quoted POSIX shell word.
std::string shell_quote(const std::string& s);

/// --dataset (fashion-mnist or cifar10, io/dataset.h) and --data-dir, as run, sweep and faults take them.
void add_dataset_options(CLI::App* cmd, std::string& dataset, std::string& data_dir);

/// The directory a command reads: --data-dir, or else the data set's default; InputError
/// for a data set that has none (cifar10), naming `command`.
std::string resolve_data_dir(const std::string& command, const std::string& dataset, const std::string& data_dir);

void add_lfsr_command(CLI::App& app);
void add_mvm_command(CLI::App& app);
void add_regmap_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_run_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_faults_command(CLI::App& app);
// The hidden `bitcim campaign-task`: one task of a sweep's or campaign's Slurm job array (run_pool.cpp).
void add_campaign_task_command(CLI::App& app);
// `bitcim version` and the --version flag (cli_version.cpp).
void add_version_command(CLI::App& app);
std::string version_line();

}  // namespace bitcim::cli

// Campaigns of `bitcim run`: one child process per configuration, resumable (a
// configuration whose complete report exists is not run again), either several at a
// time on this machine's cores (engine "local") or as one Slurm job array (engine
// "slurm"). Used by `bitcim sweep` and `bitcim faults`.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

namespace bitcim::cli {

struct RunJob {
    std::string key;                ///< readable label (file names add a hash of the job: job_stem)
    nlohmann::json config;          ///< written to <key>.cfg.json and passed as --config
    std::vector<std::string> args;  ///< further `bitcim run` arguments (--weights FILE, --limit N, ...)
};

/// What became of a campaign point: "ok" (its report exists), "skipped" (the configuration
/// cannot exist: `bitcim run` refused it as bad input, exit 2, or the campaign did before
/// running it), "failed" (the run failed otherwise) or "pending" (not run yet: a Slurm
/// array still queued or running, or never submitted). `reason`: the refusal or error message.
struct Outcome {
    std::string status;
    std::string reason;
};

/// Where and how a campaign runs (docs/DECISIONS.md D-122..D-125).
struct EngineOptions {
    std::string engine = "local";  ///< "local" or "slurm"
    std::string partition, time, mem;
    unsigned points_per_task = 0;  ///< points one array task runs in turn; 0: the rule of points_per_task()
    bool wait = false;             ///< sbatch --wait: return when the array has finished, then collect
    bool collect = false;          ///< run nothing: build the campaign's outputs from the reports there are
    std::string sbatch = "sbatch", squeue = "squeue";
};

/// --engine, --partition, --time, --mem, --points-per-task, --wait, --collect, --sbatch, --squeue.
void add_engine_options(CLI::App* cmd, EngineOptions& opt);

/// Most campaign processes run at once.
inline constexpr unsigned kMaxParallelJobs = 256;

/// File stem of a job's config and report: its label, then a hash of its canonical
/// configuration and arguments, so two different jobs never share files.
std::string job_stem(const RunJob& job);

/// Runs every job not yet done into `<out_dir>/<stem>.json`: engine local, `parallel` at a
/// time (0: one per core; at most kMaxParallelJobs), each `bitcim run` on `threads` threads
/// (0: the cores shared between the processes running at once, at least one; not part of a
/// job's name, since the report is the same for every count), with a progress line labelled
/// `label` and each point that is skipped or fails named on stderr with its message; engine
/// slurm, submitted as one job array (threads: each task's CPUs, 0 = 1), returning at once
/// unless `engine.wait`. Holds a lock on `out_dir` while it runs or submits: a second campaign
/// into the same directory is refused, as is a Slurm submission while an array submitted
/// there before is still queued or running. Throws InputError for a job given twice, a
/// directory in use, a refused submission. Returns true when the jobs have finished (local, or
/// slurm with wait), so their outcomes can be collected.
bool run_jobs(const std::string& out_dir, const std::vector<RunJob>& jobs, unsigned parallel, const std::string& label,
              unsigned threads = 0, const EngineOptions& engine = {});

/// Each job's outcome, from the files in out_dir (reports and the status files of points
/// that did not finish).
std::vector<Outcome> job_outcomes(const std::string& out_dir, const std::vector<RunJob>& jobs);

/// Passes `--dataset NAME` on to every job's `bitcim run`, unless NAME is the default
/// (fashion-mnist): campaigns begun before the option existed keep their arguments and resume.
void add_dataset_args(std::vector<RunJob>& jobs, const std::string& dataset);

/// The report of a finished job.
nlohmann::json read_report(const std::string& out_dir, const RunJob& job);

/// Saves this process's command line in `<out_dir>/campaign.command`, so that
/// `bitcim SUBCOMMAND --collect --out DIR` can repeat it.
void save_campaign_command(const std::string& out_dir, const std::string& label);

/// `bitcim SUBCOMMAND --collect --out DIR` without the campaign's options: replaces this
/// process by the saved command with --collect (never returns; InputError when DIR has none).
[[noreturn]] void collect_saved_campaign(const std::string& out_dir, const std::string& label);

}  // namespace bitcim::cli

// Campaigns of `bitcim run`: one child process per configuration, several at a
// time on the machine's cores, resumable (a configuration whose complete report
// exists is not run again). Used by `bitcim sweep` and `bitcim faults`.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bitcim::cli {

struct RunJob {
    std::string key;                ///< readable label (file names add a hash of the job: job_stem)
    nlohmann::json config;          ///< written to <key>.cfg.json and passed as --config
    std::vector<std::string> args;  ///< further `bitcim run` arguments (--weights FILE, --limit N, ...)
};

/// Most campaign processes run at once.
inline constexpr unsigned kMaxParallelJobs = 256;

/// File stem of a job's config and report: its label, then a hash of its canonical
/// configuration and arguments, so two different jobs never share files.
std::string job_stem(const RunJob& job);

/// Runs every job not yet done into `<out_dir>/<stem>.json`, `parallel` at a time
/// (0: one per core; at most kMaxParallelJobs), each `bitcim run` on `threads` threads
/// (0: the cores shared between the processes running at once, at least one; not part
/// of a job's name, since the report is the same for every count), with a progress line
/// labelled `label`. Holds a lock on `out_dir` while it runs: a second campaign into the
/// same directory is refused. Throws InputError naming the failed configurations,
/// a job given twice, or a directory in use.
void run_jobs(const std::string& out_dir, const std::vector<RunJob>& jobs, unsigned parallel, const std::string& label,
              unsigned threads = 0);

/// Passes `--dataset NAME` on to every job's `bitcim run`, unless NAME is the default
/// (fashion-mnist): campaigns begun before the option existed keep their arguments and resume.
void add_dataset_args(std::vector<RunJob>& jobs, const std::string& dataset);

/// The report of a finished job.
nlohmann::json read_report(const std::string& out_dir, const RunJob& job);

}  // namespace bitcim::cli

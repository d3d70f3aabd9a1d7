#include "app/run_pool.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include "app/cli.h"
#include "core/errors.h"
#include "core/parallel.h"

namespace bitcim::cli {

namespace {

namespace fs = std::filesystem;

nlohmann::json spec_of(const RunJob& job) { return {{"config", job.config}, {"args", job.args}}; }

// Writes `text` to `path` through a temporary file and a rename: a reader (a resumed
// campaign, a collect step on another node) sees the whole file or none.
void write_atomically(const fs::path& path, const std::string& text) {
    const fs::path tmp = path.string() + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(tmp);
        out << text;
        if (!out.flush()) throw InputError("cannot write " + tmp.string());
    }
    fs::rename(tmp, path);
}

nlohmann::json read_json(const fs::path& path) {
    std::ifstream in(path);
    if (!in) return nullptr;
    try {
        return nlohmann::json::parse(in);
    } catch (const std::exception&) {
        return nullptr;
    }
}

// Done: a complete report exists, made by this very job (same configuration and
// arguments), so changing a grid, a limit or a file never reuses a stale report.
bool finished(const fs::path& dir, const RunJob& job) {
    const std::string stem = job_stem(job);
    const nlohmann::json report = read_json(dir / (stem + ".json")), spec = read_json(dir / (stem + ".job.json"));
    return report.is_object() && report.contains("accuracy") && spec == spec_of(job);
}

// An exclusive lock on the output directory for this process's lifetime (flock:
// released by the kernel when the process ends, so a crash leaves no stale lock).
class DirectoryLock {
public:
    DirectoryLock(const fs::path& dir, const std::string& label) {
        const fs::path path = dir / ".bitcim.lock";
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) throw InputError(label + ": cannot create the lock file " + path.string());
        if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(m_fd);
            throw InputError(label + ": " + dir.string() +
                             " is in use by another campaign (it holds .bitcim.lock); wait for it or choose another --out");
        }
    }
    ~DirectoryLock() { ::close(m_fd); }
    DirectoryLock(const DirectoryLock&) = delete;
    DirectoryLock& operator=(const DirectoryLock&) = delete;

private:
    int m_fd = -1;
};

// 64-bit FNV-1a: a short, stable name for a job's canonical JSON.
uint64_t fnv1a(const std::string& text) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : text) h = (h ^ c) * 0x100000001b3ULL;
    return h;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// What a failed `bitcim run` said: its last "error:" line (main prints every refusal as
// "bitcim: error: ..."), else its last line (a crash, a sanitizer's report), else its status.
std::string failure_reason(const fs::path& err, int rc) {
    std::string text = read_text(err);
    std::replace(text.begin(), text.end(), '\r', '\n');  // progress lines end in \r
    std::vector<std::string> lines;
    std::stringstream ss(text);
    for (std::string line; std::getline(ss, line);)
        if (line.find_first_not_of(" \t") != std::string::npos) lines.push_back(line);
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        const size_t at = it->find("error: ");
        if (at != std::string::npos) return it->substr(at + 7);
    }
    std::string status = WIFSIGNALED(rc) ? "killed by signal " + std::to_string(WTERMSIG(rc))
                                          : "exit status " + std::to_string(WEXITSTATUS(rc));
    return lines.empty() ? "bitcim run: " + status : lines.back() + " (" + status + ")";
}

// Runs one point: `bitcim run` into a partial report renamed into place when complete,
// or a status file with what went wrong. The same for a local worker and a Slurm task.
Outcome run_point(const fs::path& dir, const RunJob& job, unsigned threads) {
    const std::string stem = job_stem(job);
    const fs::path cfg = dir / (stem + ".cfg.json"), report = dir / (stem + ".json"), err = dir / (stem + ".err"),
                   status = dir / (stem + ".status");
    const fs::path partial = dir / (stem + ".json.partial." + std::to_string(::getpid()));
    write_atomically(cfg, job.config.dump() + "\n");
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::string cmd = shell_quote(self) + " run --json --threads " + std::to_string(std::max(threads, 1u)) +
                      " --config " + shell_quote(cfg.string());
    for (const std::string& a : job.args) cmd += " " + shell_quote(a);
    cmd += " > " + shell_quote(partial.string()) + " 2> " + shell_quote(err.string());
    const int rc = std::system(cmd.c_str());
    std::error_code ec;
    if (rc == 0) {
        write_atomically(dir / (stem + ".job.json"), spec_of(job).dump() + "\n");
        fs::rename(partial, report);  // a report exists only once complete: resumable
        fs::remove(err, ec);
        fs::remove(status, ec);
        return {"ok", ""};
    }
    fs::remove(partial, ec);
    // Exit 2 is bitcim's refusal of bad input: this configuration cannot exist (e.g. a chip
    // too small for the network); anything else is a failure.
    const Outcome o{WIFEXITED(rc) && WEXITSTATUS(rc) == kExitBadInput ? "skipped" : "failed", failure_reason(err, rc)};
    write_atomically(status, nlohmann::json{{"status", o.status}, {"reason", o.reason}, {"job", spec_of(job)}}.dump() + "\n");
    return o;
}

std::string arg_value(const std::vector<std::string>& args, const std::string& name, const std::string& fallback) {
    for (size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == name) return args[i + 1];
    return fallback;
}

// Golden-level images a Slurm array task should run at least, so that short points share a
// task instead of each paying the scheduler's start-up (D-123).
constexpr double kTaskImages = 2000;
// A tlm image costs about this many golden ones.
constexpr double kTlmImageCost = 10;
// Slurm's default MaxArraySize is 1001: indices 0..1000.
constexpr size_t kMaxArrayTasks = 1000;

size_t auto_points_per_task(const RunJob& job) {
    const double images = std::max(1.0, std::atof(arg_value(job.args, "--limit", "1000").c_str()));
    const double cost = images * (arg_value(job.args, "--level", "golden") == "golden" ? 1 : kTlmImageCost);
    return std::max<size_t>(1, static_cast<size_t>(kTaskImages / cost));
}

// A command's standard output (stderr into `err`) and its exit status.
std::pair<std::string, int> capture(const std::string& cmd, const fs::path& err) {
    std::string out;
    FILE* p = ::popen((cmd + " 2> " + shell_quote(err.string())).c_str(), "r");
    if (!p) return {"", -1};
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
    return {out, ::pclose(p)};
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    while (!text.empty() && text.back() == ' ') text.pop_back();
    return text;
}

// Refuses to submit while an array submitted into the directory before is still queued or
// running: its points would be run twice, and its reports written under the new one's.
void refuse_active_arrays(const fs::path& sdir, const std::string& label, const EngineOptions& engine) {
    if (!fs::exists(sdir / "jobs")) return;
    std::ifstream in(sdir / "jobs");
    std::string ids;
    for (std::string id; std::getline(in, id);)
        if (!id.empty()) ids += (ids.empty() ? "" : ",") + id;
    if (ids.empty()) return;
    // squeue lists the job's pending and running tasks; a job it no longer knows is over
    // (it exits non-zero for an unknown id).
    const auto [out, rc] = capture(shell_quote(engine.squeue) + " -h -o %A -j " + shell_quote(ids), sdir / "squeue.err");
    if (rc == 0 && out.find_first_not_of(" \n") != std::string::npos)
        throw InputError(label + ": " + sdir.parent_path().string() + " has Slurm job " + one_line(out).substr(0, 60) +
                         " still queued or running (" + engine.squeue + "); wait for it and collect (--collect), or scancel it");
}

bool submit_array(const fs::path& dir, const std::vector<RunJob>& jobs, const std::vector<size_t>& todo,
                  const std::string& label, unsigned threads, const EngineOptions& engine) {
    const fs::path sdir = fs::absolute(dir) / "slurm";
    fs::create_directories(sdir);
    if (todo.empty()) return true;
    size_t per_task = engine.points_per_task ? engine.points_per_task : auto_points_per_task(jobs[todo.front()]);
    per_task = std::min(std::max(per_task, (todo.size() + kMaxArrayTasks - 1) / kMaxArrayTasks), todo.size());
    const size_t tasks = (todo.size() + per_task - 1) / per_task;
    nlohmann::json manifest = {{"out", fs::absolute(dir).string()}, {"threads", std::max(threads, 1u)},
                               {"label", label}, {"tasks", nlohmann::json::array()}};
    for (size_t t = 0; t < tasks; ++t) {
        nlohmann::json points = nlohmann::json::array();
        for (size_t i = t * per_task; i < std::min(todo.size(), (t + 1) * per_task); ++i) {
            const RunJob& job = jobs[todo[i]];
            points.push_back({{"key", job.key}, {"config", job.config}, {"args", job.args}});
        }
        manifest["tasks"].push_back(points);
    }
    size_t n = 1;
    while (fs::exists(sdir / ("array-" + std::to_string(n) + ".json"))) ++n;
    const fs::path manifest_path = sdir / ("array-" + std::to_string(n) + ".json");
    const fs::path script = sdir / ("array-" + std::to_string(n) + ".sh");
    write_atomically(manifest_path, manifest.dump() + "\n");
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    write_atomically(script, "#!/bin/sh\n# bitcim " + label + ": one array task runs its points in turn\nexec " +
                                 shell_quote(self) + " campaign-task --manifest " + shell_quote(manifest_path.string()) +
                                 " --task \"$SLURM_ARRAY_TASK_ID\"\n");
    fs::permissions(script, fs::perms::owner_all, fs::perm_options::add);
    std::string cmd = shell_quote(engine.sbatch) + " --parsable --array=0-" + std::to_string(tasks - 1) +
                      " --job-name=" + shell_quote("bitcim-" + label) + " --chdir=" +
                      shell_quote(fs::current_path().string()) + " --output=" + shell_quote((sdir / "%A_%a.out").string()) +
                      " --cpus-per-task=" + std::to_string(std::max(threads, 1u));
    if (!engine.partition.empty()) cmd += " --partition=" + shell_quote(engine.partition);
    if (!engine.time.empty()) cmd += " --time=" + shell_quote(engine.time);
    if (!engine.mem.empty()) cmd += " --mem=" + shell_quote(engine.mem);
    if (engine.wait) cmd += " --wait";
    cmd += " " + shell_quote(script.string());
    std::fprintf(stderr, "%s: submitting %zu points as a Slurm job array of %zu tasks (%zu points a task)%s\n",
                 label.c_str(), todo.size(), tasks, per_task, engine.wait ? ", waiting for it" : "");
    const auto [out, rc] = capture(cmd, sdir / "sbatch.err");
    const std::string id = out.substr(0, out.find_first_not_of("0123456789"));
    if (id.empty())
        throw InputError(label + ": " + engine.sbatch + " refused the job array (exit " +
                         std::to_string(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1) +
                         "): " + one_line(read_text(sdir / "sbatch.err")));
    std::ofstream(sdir / "jobs", std::ios::app) << id << "\n";
    std::fprintf(stderr, "%s: Slurm job %s (%s/%s_N.out: each task's output)\n", label.c_str(), id.c_str(),
                 sdir.string().c_str(), id.c_str());
    if (engine.wait) return true;
    std::fprintf(stderr, "%s: when it has finished: bitcim %s --collect --out %s\n", label.c_str(), label.c_str(),
                 dir.string().c_str());
    return false;
}

}  // namespace

void add_engine_options(CLI::App* cmd, EngineOptions& opt) {
    cmd->add_option("--engine", opt.engine, "where the points run: local (processes on this machine) or slurm (one job array)")
        ->check(CLI::IsMember({"local", "slurm"}))
        ->capture_default_str();
    cmd->add_option("--partition", opt.partition, "slurm: the partition (sbatch --partition)");
    cmd->add_option("--time", opt.time, "slurm: each array task's time limit (sbatch --time, e.g. 30 or 1:00:00)");
    cmd->add_option("--mem", opt.mem, "slurm: each array task's memory (sbatch --mem, e.g. 4G)");
    cmd->add_option("--points-per-task", opt.points_per_task,
                    "slurm: points each array task runs in turn (default: enough for 2000 golden images, a tlm image "
                    "counting 10)")
        ->check(CLI::Range(1u, 1u << 20));
    cmd->add_flag("--wait", opt.wait, "slurm: wait for the job array to finish (sbatch --wait), then collect");
    cmd->add_flag("--collect", opt.collect,
                  "run nothing: write the CSV from the reports in --out (alone: repeats the campaign's saved options)");
    const char* sbatch = std::getenv("BITCIM_SBATCH");
    const char* squeue = std::getenv("BITCIM_SQUEUE");
    if (sbatch) opt.sbatch = sbatch;
    if (squeue) opt.squeue = squeue;
    cmd->add_option("--sbatch", opt.sbatch, "slurm: the sbatch program (default: $BITCIM_SBATCH or sbatch on PATH)")
        ->capture_default_str();
    cmd->add_option("--squeue", opt.squeue, "slurm: the squeue program (default: $BITCIM_SQUEUE or squeue on PATH)")
        ->capture_default_str();
}

std::string job_stem(const RunJob& job) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(spec_of(job).dump())));
    return job.key + "-" + std::string(hash, 8);
}

bool run_jobs(const std::string& out_dir, const std::vector<RunJob>& jobs, unsigned parallel, const std::string& label,
              unsigned threads, const EngineOptions& engine) {
    if (parallel > kMaxParallelJobs)
        throw InputError(label + ": --jobs " + std::to_string(parallel) + " exceeds " +
                         std::to_string(kMaxParallelJobs) + " processes at once");
    const bool slurm = engine.engine == "slurm";
    if (!slurm) {
        for (const auto& [set, name] : {std::pair{!engine.partition.empty(), "--partition"}, {!engine.time.empty(), "--time"},
                                        {!engine.mem.empty(), "--mem"}, {engine.wait, "--wait"},
                                        {engine.points_per_task != 0, "--points-per-task"}})
            if (set) throw InputError(label + ": " + name + " needs --engine slurm");
    } else if (parallel) {
        throw InputError(label + ": --jobs is for --engine local (Slurm runs the array's tasks as it has room)");
    }
    std::set<std::string> stems;
    for (const RunJob& job : jobs)
        if (!stems.insert(job_stem(job)).second)
            throw InputError(label + ": configuration " + job.key + " is given twice");
    fs::create_directories(out_dir);
    const DirectoryLock lock(out_dir, label);
    // A local run too: the array's tasks would write the same reports.
    refuse_active_arrays(fs::absolute(out_dir) / "slurm", label, engine);
    std::vector<size_t> todo;
    for (size_t i = 0; i < jobs.size(); ++i)
        if (!finished(out_dir, jobs[i])) todo.push_back(i);
    std::fprintf(stderr, "%s: %zu configurations, %zu already done, %zu to run\n", label.c_str(), jobs.size(),
                 jobs.size() - todo.size(), todo.size());
    if (slurm) return submit_array(out_dir, jobs, todo, label, threads, engine);

    // No more workers than configurations to run.
    const unsigned cores = core::available_cores();
    const unsigned n = static_cast<unsigned>(
        std::min<size_t>(parallel ? parallel : cores, std::max<size_t>(todo.size(), 1)));
    const unsigned per_run = threads ? threads : std::max(1u, cores / n);
    const auto start = std::chrono::steady_clock::now();
    std::atomic<size_t> next{0};
    size_t done = 0;
    std::mutex mutex;
    auto worker = [&]() {
        for (size_t t; (t = next++) < todo.size();) {
            const RunJob& job = jobs[todo[t]];
            const Outcome o = run_point(out_dir, job, per_run);
            std::lock_guard<std::mutex> lock(mutex);
            if (o.status != "ok")
                std::fprintf(stderr, "\r%s: %s %s: %s\n", label.c_str(), job_stem(job).c_str(), o.status.c_str(),
                             o.reason.c_str());
            ++done;
            const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double rate = done / std::max(s, 1e-9);
            std::fprintf(stderr, "\r%s: %zu/%zu configurations run, %.2f/s, ETA %.0f s   ", label.c_str(), done,
                         todo.size(), rate, (todo.size() - done) / std::max(rate, 1e-9));
        }
    };
    std::vector<std::thread> pool;
    for (unsigned j = 0; j < n; ++j) pool.emplace_back(worker);
    for (auto& th : pool) th.join();
    if (!todo.empty()) std::fprintf(stderr, "\n");
    return true;
}

std::vector<Outcome> job_outcomes(const std::string& out_dir, const std::vector<RunJob>& jobs) {
    std::vector<Outcome> outcomes;
    for (const RunJob& job : jobs) {
        if (finished(out_dir, job)) {
            outcomes.push_back({"ok", ""});
            continue;
        }
        const nlohmann::json s = read_json(fs::path(out_dir) / (job_stem(job) + ".status"));
        if (s.is_object() && s.value("job", nlohmann::json()) == spec_of(job))
            outcomes.push_back({s.value("status", "failed"), s.value("reason", "")});
        else
            outcomes.push_back({"pending", "not run yet (a Slurm array still queued or running, or never submitted)"});
    }
    return outcomes;
}

void add_dataset_args(std::vector<RunJob>& jobs, const std::string& dataset) {
    if (dataset == "fashion-mnist") return;
    for (RunJob& job : jobs) job.args.insert(job.args.end(), {"--dataset", dataset});
}

nlohmann::json read_report(const std::string& out_dir, const RunJob& job) {
    const fs::path path = fs::path(out_dir) / (job_stem(job) + ".json");
    std::ifstream in(path);
    try {
        return nlohmann::json::parse(in);
    } catch (const std::exception& e) {
        throw InputError(path.string() + ": unreadable report: " + e.what());
    }
}

void save_campaign_command(const std::string& out_dir, const std::string& label) {
    std::string text = read_text("/proc/self/cmdline");
    std::vector<std::string> argv;
    for (size_t at = 0; at < text.size();) {
        const size_t end = text.find('\0', at);
        argv.push_back(text.substr(at, end == std::string::npos ? std::string::npos : end - at));
        if (end == std::string::npos) break;
        at = end + 1;
    }
    if (!argv.empty()) argv.erase(argv.begin());  // the program
    fs::create_directories(out_dir);
    write_atomically(fs::path(out_dir) / "campaign.command",
                     nlohmann::json{{"command", label}, {"cwd", fs::current_path().string()}, {"args", argv}}.dump(1) + "\n");
}

void collect_saved_campaign(const std::string& out_dir, const std::string& label) {
    const fs::path path = fs::path(out_dir) / "campaign.command";
    const nlohmann::json saved = read_json(path);
    if (!saved.is_object() || saved.value("command", "") != label || !saved.contains("args"))
        throw InputError(label + ": --collect without the campaign's options needs " + path.string() +
                         " from a bitcim " + label + " into that directory; give the campaign's options again instead");
    // The saved command with this --out (the directory may have moved) and --collect.
    std::vector<std::string> args;
    const std::vector<std::string> old = saved["args"].get<std::vector<std::string>>();
    for (size_t i = 0; i < old.size(); ++i) {
        if (old[i] == "--out") {
            ++i;
            continue;
        }
        if (old[i].rfind("--out=", 0) == 0 || old[i] == "--collect" || old[i] == "--wait") continue;
        args.push_back(old[i]);
    }
    args.insert(args.end(), {"--out", fs::absolute(out_dir).string(), "--collect"});
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    std::vector<char*> cargv;
    cargv.push_back(const_cast<char*>(self.c_str()));
    for (std::string& a : args) cargv.push_back(a.data());
    cargv.push_back(nullptr);
    const std::string cwd = saved.value("cwd", "");
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0)
        throw InputError(label + ": the campaign's directory " + cwd + " (its relative paths) is gone");
    ::execv(self.c_str(), cargv.data());
    throw InputError(label + ": cannot run " + self + ": " + std::strerror(errno));
}

void add_campaign_task_command(CLI::App& app) {
    struct TaskOptions {
        std::string manifest;
        long task = -1;
    };
    auto opt = std::make_shared<TaskOptions>();
    CLI::App* cmd = app.add_subcommand("campaign-task", "one task of a Slurm job array of a sweep or fault campaign");
    cmd->group("");  // internal: the array's script runs it
    cmd->add_option("--manifest", opt->manifest, "the array's manifest")->required();
    cmd->add_option("--task", opt->task, "this task's index (SLURM_ARRAY_TASK_ID)")->required();
    cmd->callback([opt]() {
        const nlohmann::json m = read_json(opt->manifest);
        if (!m.is_object() || !m.contains("tasks")) throw InputError(opt->manifest + ": not a campaign manifest");
        if (opt->task < 0 || static_cast<size_t>(opt->task) >= m["tasks"].size())
            throw InputError(opt->manifest + ": no task " + std::to_string(opt->task));
        const fs::path dir = m["out"].get<std::string>();
        const unsigned threads = m["threads"].get<unsigned>();
        const std::string label = m.value("label", "campaign");
        const nlohmann::json& points = m["tasks"][static_cast<size_t>(opt->task)];
        size_t i = 0;
        for (const auto& p : points) {
            const RunJob job{p["key"].get<std::string>(), p["config"], p["args"].get<std::vector<std::string>>()};
            ++i;
            if (finished(dir, job)) {
                std::printf("%s: %s already done\n", label.c_str(), job_stem(job).c_str());
                continue;
            }
            const auto start = std::chrono::steady_clock::now();
            const Outcome o = run_point(dir, job, threads);
            std::printf("%s: point %zu/%zu %s %s in %.1f s%s%s\n", label.c_str(), i, points.size(), job_stem(job).c_str(),
                        o.status.c_str(),
                        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                        o.reason.empty() ? "" : ": ", o.reason.c_str());
            std::fflush(stdout);
        }
    });
}

}  // namespace bitcim::cli

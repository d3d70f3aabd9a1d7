#include "app/run_pool.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "app/cli.h"
#include "core/errors.h"
#include "core/parallel.h"

namespace bitcim::cli {

namespace {

namespace fs = std::filesystem;

nlohmann::json spec_of(const RunJob& job) { return {{"config", job.config}, {"args", job.args}}; }

// Done: a complete report exists, made by this very job (same configuration and
// arguments), so changing a grid, a limit or a file never reuses a stale report.
bool finished(const fs::path& dir, const RunJob& job) {
    const std::string stem = job_stem(job);
    std::ifstream in(dir / (stem + ".json")), spec(dir / (stem + ".job.json"));
    if (!in || !spec) return false;
    try {
        return nlohmann::json::parse(in).contains("accuracy") && nlohmann::json::parse(spec) == spec_of(job);
    } catch (const std::exception&) {
        return false;
    }
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

}  // namespace

std::string job_stem(const RunJob& job) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(spec_of(job).dump())));
    return job.key + "-" + std::string(hash, 8);
}

void run_jobs(const std::string& out_dir, const std::vector<RunJob>& jobs, unsigned parallel, const std::string& label,
              unsigned threads) {
    if (parallel > kMaxParallelJobs)
        throw InputError(label + ": --jobs " + std::to_string(parallel) + " exceeds " +
                         std::to_string(kMaxParallelJobs) + " processes at once");
    std::set<std::string> stems;
    for (const RunJob& job : jobs)
        if (!stems.insert(job_stem(job)).second)
            throw InputError(label + ": configuration " + job.key + " is given twice");
    fs::create_directories(out_dir);
    const DirectoryLock lock(out_dir, label);
    std::vector<size_t> todo;
    for (size_t i = 0; i < jobs.size(); ++i)
        if (!finished(out_dir, jobs[i])) todo.push_back(i);
    std::fprintf(stderr, "%s: %zu configurations, %zu already done, %zu to run\n", label.c_str(), jobs.size(),
                 jobs.size() - todo.size(), todo.size());

    // No more workers than configurations to run.
    const unsigned cores = core::available_cores();
    const unsigned n = static_cast<unsigned>(
        std::min<size_t>(parallel ? parallel : cores, std::max<size_t>(todo.size(), 1)));
    const unsigned per_run = threads ? threads : std::max(1u, cores / n);
    const std::string self = fs::read_symlink("/proc/self/exe").string();
    const auto start = std::chrono::steady_clock::now();
    std::atomic<size_t> next{0};
    size_t done = 0;
    std::mutex mutex;
    std::vector<std::string> failures;
    auto worker = [&]() {
        for (size_t t; (t = next++) < todo.size();) {
            const RunJob& job = jobs[todo[t]];
            const std::string stem = job_stem(job);
            const fs::path cfg = fs::path(out_dir) / (stem + ".cfg.json");
            const fs::path report = fs::path(out_dir) / (stem + ".json");
            const fs::path partial = fs::path(out_dir) / (stem + ".json.partial");
            std::ofstream(cfg) << job.config.dump() << "\n";
            std::string cmd = shell_quote(self) + " run --json --threads " + std::to_string(per_run) + " --config " +
                              shell_quote(cfg.string());
            for (const std::string& a : job.args) cmd += " " + shell_quote(a);
            cmd += " > " + shell_quote(partial.string()) + " 2> /dev/null";
            const int rc = std::system(cmd.c_str());
            std::lock_guard<std::mutex> lock(mutex);
            if (rc == 0) {
                fs::rename(partial, report);  // a report exists only once complete: resumable
                std::ofstream(fs::path(out_dir) / (stem + ".job.json")) << spec_of(job).dump() << "\n";
            } else {
                failures.push_back(stem);
            }
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
    if (!failures.empty())
        throw InputError(label + ": " + std::to_string(failures.size()) + " configurations failed, e.g. " +
                         failures.front() + " (run it with bitcim run --config " +
                         (fs::path(out_dir) / (failures.front() + ".cfg.json")).string() + " to see why)");
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

}  // namespace bitcim::cli

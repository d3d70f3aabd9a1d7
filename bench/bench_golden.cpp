// Golden model speed against a plain int8 GEMV on the same shapes, measured in one
// run (issue #15): MACs per second of BitSlicedLayer::run on bit-sparse weights with
// [1,3,3,3] ADCs and on dense weights with 8-bit ADCs, and of an int8 x uint8 GEMV,
// at 128, 1024 and 4096 square. Every iteration takes the next vector of a batch of
// distinct inputs: one vector repeated lets the branch predictor learn the input and
// flatters the kernel. Golden runs once per kernel path this CPU executes (only the
// one BITCIM_KERNEL names, when set). The table at the end gives the ratios to the GEMV.
//
// Defaults: 5 repetitions in random interleaved order, process CPU time, medians;
// any --benchmark_* flag given overrides them.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/bit_kernel.h"
#include "core/crossbar_layer.h"

namespace {

using bitcim::core::BitSlicedLayer;
using bitcim::core::HwConfig;
using bitcim::core::IntMatrix;

constexpr size_t kBatch = 64;  // distinct input vectors, taken in turn
constexpr unsigned kInputLevels = 256;
constexpr int64_t kSizes[] = {128, 1024, 4096};

namespace kernel = bitcim::core::kernel;

// The kernel paths to measure: BITCIM_KERNEL's alone when set, else every one this CPU runs.
std::vector<kernel::Path> measured_paths() {
    const char* forced = std::getenv("BITCIM_KERNEL");
    if (forced && *forced) return {kernel::parse_path(forced)};
    return kernel::supported_paths();
}

// Bit-sparse weights like a bit-slice-L1 network: most magnitudes zero, the rest
// below 64; dense weights use every 8-bit magnitude.
IntMatrix make_weights(size_t n, bool bit_sparse) {
    constexpr unsigned kNonZeroOneIn = 10;
    constexpr unsigned kSparseMagnitudes = 64;
    constexpr unsigned kDenseMagnitudes = 256;
    std::mt19937_64 rng(1);
    IntMatrix w(n, n);
    for (auto& v : w.data) {
        const int64_t mag = bit_sparse ? ((rng() % kNonZeroOneIn == 0) ? static_cast<int64_t>(rng() % kSparseMagnitudes) : 0)
                                       : static_cast<int64_t>(rng() % kDenseMagnitudes);
        v = (rng() & 1) ? mag : -mag;
    }
    return w;
}

std::vector<std::vector<uint32_t>> make_inputs(size_t n) {
    std::mt19937 rng(2);
    std::vector<std::vector<uint32_t>> batch(kBatch, std::vector<uint32_t>(n));
    for (auto& x : batch)
        for (auto& v : x) v = rng() % kInputLevels;
    return batch;
}

// Layers are built once per (configuration, size): repetitions reuse them.
const BitSlicedLayer& cached_layer(bool bit_sparse, size_t n) {
    static std::map<std::pair<bool, size_t>, std::unique_ptr<BitSlicedLayer>> layers;
    auto& slot = layers[{bit_sparse, n}];
    if (!slot) {
        HwConfig cfg;
        cfg.adc_bits = bit_sparse ? std::vector<unsigned>{1, 3, 3, 3} : std::vector<unsigned>{8, 8, 8, 8};
        slot = std::make_unique<BitSlicedLayer>(cfg, make_weights(n, bit_sparse));
    }
    return *slot;
}

void BM_Int8Gemv(benchmark::State& state) {
    const size_t n = static_cast<size_t>(state.range(0));
    std::mt19937_64 rng(1);
    std::vector<int8_t> w(n * n);
    for (auto& v : w) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
    std::vector<std::vector<uint8_t>> batch;
    for (const auto& x : make_inputs(n)) batch.emplace_back(x.begin(), x.end());
    std::vector<int32_t> y(n);
    size_t next = 0;
    for (auto _ : state) {
        const uint8_t* x = batch[next].data();
        next = (next + 1) % kBatch;
        for (size_t r = 0; r < n; ++r) {
            int32_t acc = 0;
            const int8_t* row = &w[r * n];
            for (size_t c = 0; c < n; ++c) acc += row[c] * x[c];
            y[r] = acc;
        }
        benchmark::DoNotOptimize(y.data());
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n * n));
}

void run_golden(benchmark::State& state, bool bit_sparse, kernel::Path path) {
    kernel::set_path(path);
    const size_t n = static_cast<size_t>(state.range(0));
    const BitSlicedLayer& layer = cached_layer(bit_sparse, n);
    const auto batch = make_inputs(n);
    auto counters = layer.make_counters();
    size_t next = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(layer.run(batch[next], counters));
        next = (next + 1) % kBatch;
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n * n));
    kernel::reset_path();
}

const char* const kSparse = "BM_GoldenBitSparse1333Adc/";
const char* const kDense = "BM_GoldenDense8bitAdc/";

void register_all() {
    for (int64_t n : kSizes) {
        benchmark::RegisterBenchmark("BM_Int8Gemv", BM_Int8Gemv)->Arg(n)->MeasureProcessCPUTime();
        for (kernel::Path p : measured_paths()) {
            const std::string path = kernel::path_name(p);
            benchmark::RegisterBenchmark((kSparse + path).c_str(), run_golden, true, p)->Arg(n)->MeasureProcessCPUTime();
            benchmark::RegisterBenchmark((kDense + path).c_str(), run_golden, false, p)->Arg(n)->MeasureProcessCPUTime();
        }
    }
}

// Prints as the console reporter does and keeps each benchmark's MAC rate: the
// median when repeated, else the single run.
class RatioReporter : public benchmark::ConsoleReporter {
public:
    void ReportRuns(const std::vector<Run>& runs) override {
        ConsoleReporter::ReportRuns(runs);
        for (const Run& r : runs) {
            const bool median = r.run_type == Run::RT_Aggregate && r.aggregate_name == "median";
            if (r.run_type == Run::RT_Aggregate && !median) continue;
            const auto it = r.counters.find("items_per_second");
            if (it == r.counters.end()) continue;
            const std::string key = r.run_name.function_name + "/" + r.run_name.args;
            if (median || !m_rate.count(key)) m_rate[key] = it->second.value;
        }
    }

    void Finalize() override {
        ConsoleReporter::Finalize();
        std::printf("\ndefault golden kernel path here: %s\n", kernel::path_name(kernel::active_path()));
        std::printf("%6s %8s %12s %16s %8s %14s %8s\n", "n", "path", "int8 GMAC/s", "[1,3,3,3] GMAC/s", "ratio",
                    "8-bit GMAC/s", "ratio");
        constexpr double kGiga = 1e9;
        for (int64_t n : kSizes)
            for (kernel::Path p : measured_paths()) {
                const std::string arg = std::to_string(n);
                const std::string path = kernel::path_name(p);
                const double gemv = rate("BM_Int8Gemv/" + arg);
                const double sparse = rate(kSparse + path + "/" + arg);
                const double dense = rate(kDense + path + "/" + arg);
                if (gemv <= 0) continue;
                std::printf("%6lld %8s %12.2f %16.3f  1/%-5.1f %14.3f  1/%-5.1f\n", static_cast<long long>(n),
                            path.c_str(), gemv / kGiga, sparse / kGiga, sparse > 0 ? gemv / sparse : 0.0,
                            dense / kGiga, dense > 0 ? gemv / dense : 0.0);
            }
        // What each measured layer holds against its bit planes (#15: at most 2x).
        constexpr double kMiB = 1024.0 * 1024.0;
        std::printf("\n%6s %12s %11s %10s %14s\n", "n", "weights", "planes MiB", "state MiB", "state/planes");
        for (int64_t n : kSizes)
            for (bool bit_sparse : {true, false}) {
                bool measured = false;
                for (kernel::Path p : measured_paths())
                    measured = measured || rate((bit_sparse ? kSparse : kDense) + std::string(kernel::path_name(p)) +
                                                "/" + std::to_string(n)) > 0;
                if (!measured) continue;
                const BitSlicedLayer& layer = cached_layer(bit_sparse, static_cast<size_t>(n));
                std::printf("%6lld %12s %11.1f %10.1f %14.2f\n", static_cast<long long>(n),
                            bit_sparse ? "bit-sparse" : "dense", static_cast<double>(layer.plane_bytes()) / kMiB,
                            static_cast<double>(layer.state_bytes()) / kMiB,
                            static_cast<double>(layer.state_bytes()) / static_cast<double>(layer.plane_bytes()));
            }
    }

private:
    double rate(const std::string& key) const {
        const auto it = m_rate.find(key);
        return it == m_rate.end() ? 0.0 : it->second;
    }
    std::map<std::string, double> m_rate;
};

}  // namespace

int main(int argc, char** argv) {
    // Defaults first, so that flags on the command line override them.
    std::vector<char*> args{argv[0]};
    std::string defaults[] = {"--benchmark_repetitions=5", "--benchmark_enable_random_interleaving=true",
                              "--benchmark_report_aggregates_only=true"};
    for (auto& d : defaults) args.push_back(d.data());
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    benchmark::AddCustomContext("golden kernel (default path)", kernel::path_name(kernel::active_path()));
    register_all();
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    benchmark::Shutdown();
    return 0;
}

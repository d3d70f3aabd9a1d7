// MACs per second of the golden model and of the TLM model (host programs the
// layer over the bus, runs a batch, reads results) on 128x128 and 1024x1024
// layers, and the tlm/golden time ratio (target: within 3x).
// SystemC elaborates once, so one host thread measures everything with a wall
// clock and the results are reported as manual-time benchmarks.
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <systemc>

#include "sim/simulation.h"
#include "core/crossbar_layer.h"
#include "tlm/regmap.h"
#include "sim/reporting.h"
#include "tlm/tlm_system.h"

namespace {

using namespace bitcim;
using Clock = std::chrono::steady_clock;

constexpr size_t kBatch = 16;
constexpr int kRepeats = 3;

struct Measurement {
    std::string name;
    double seconds;
    double macs;
};
std::vector<Measurement> g_results;

core::IntMatrix bit_sparse(size_t n, std::mt19937_64& rng) {
    core::IntMatrix w(n, n);
    for (auto& v : w.data) v = (rng() % 10 == 0) ? static_cast<int64_t>(rng() % 128) - 64 : 0;
    return w;
}

void measure(HostInitiator& host, size_t n, const core::HwConfig& hw) {
    std::mt19937_64 rng(n);
    const core::IntMatrix w = bit_sparse(n, rng);
    std::vector<std::vector<uint32_t>> xs(kBatch, std::vector<uint32_t>(n));
    for (auto& x : xs)
        for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    const double macs = static_cast<double>(n * n * kBatch * kRepeats);

    const core::BitSlicedLayer layer(hw, w);
    auto counters = layer.make_counters();
    auto t0 = Clock::now();
    for (int r = 0; r < kRepeats; ++r)
        for (const auto& x : xs) benchmark::DoNotOptimize(layer.run(x, counters));
    const double golden_s = std::chrono::duration<double>(Clock::now() - t0).count();

    if (host.program_layer(w) != regmap::ERR_NONE) throw std::runtime_error("bench: program failed");
    std::vector<std::vector<int64_t>> ys;
    t0 = Clock::now();
    for (int r = 0; r < kRepeats; ++r)
        if (host.run_batch(xs, n, ys) != regmap::ERR_NONE) throw std::runtime_error("bench: run failed");
    const double tlm_s = std::chrono::duration<double>(Clock::now() - t0).count();

    const std::string size = std::to_string(n) + "x" + std::to_string(n);
    g_results.push_back({"golden/" + size, golden_s, macs});
    g_results.push_back({"tlm/" + size, tlm_s, macs});
    std::printf("%-10s golden %8.1f MMAC/s   tlm %8.1f MMAC/s   tlm/golden time %.2fx\n", size.c_str(),
                macs / golden_s / 1e6, macs / tlm_s / 1e6, tlm_s / golden_s);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
    configure_systemc_reporting();
    set_global_quantum();
    core::HwConfig hw;
    hw.adc_bits = {1, 3, 3, 3};
    TlmSystem system("system", chip_params_for(hw, 1024, 1024, kBatch), core::default_technology(),
                     [&hw](HostInitiator& host) {
                         measure(host, 128, hw);
                         measure(host, 1024, hw);
                     });
    bitcim::simulate();
    for (const Measurement& m : g_results) {
        benchmark::RegisterBenchmark(m.name.c_str(), [m](benchmark::State& state) {
            for (auto _ : state) state.SetIterationTime(m.seconds);
            state.counters["MAC_per_s"] = m.macs / m.seconds;
        })->UseManualTime()->Iterations(1);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// LFSR throughput: golden steps per second, and simulated clock cycles per
// second of the Verilated RTL inside SystemC (one elaboration, so it is timed
// once by hand and reported as a counter on a manual-time benchmark).
#include <chrono>

#include <benchmark/benchmark.h>
#include <systemc>

#include "core/lfsr.h"
#include "cycle/lfsr_rtl.h"
#include "sim/reporting.h"

namespace {

void BM_GoldenLfsrSteps(benchmark::State& state) {
    bitcim::core::Lfsr lfsr({32, 0xA3000000, 0x1});
    for (auto _ : state) benchmark::DoNotOptimize(lfsr.step());
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GoldenLfsrSteps);

// SystemC elaborates once per process: the RTL run happens once, outside the loop.
double g_rtl_seconds = 0;
uint64_t g_rtl_cycles = 0;

void BM_RtlLfsrCycles(benchmark::State& state) {
    for (auto _ : state) state.SetIterationTime(g_rtl_seconds);
    state.counters["cycles_per_s"] = g_rtl_cycles / g_rtl_seconds;
}
BENCHMARK(BM_RtlLfsrCycles)->UseManualTime()->Iterations(1);

}  // namespace

int sc_main(int argc, char* argv[]) {
    bitcim::configure_systemc_reporting();
    constexpr uint64_t kCycles = 1'000'000;
    const auto t0 = std::chrono::steady_clock::now();
    const auto states = bitcim::run_lfsr_rtl({{{32, 0xA3000000, 0x1}, kCycles, 0}}, "");
    g_rtl_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    g_rtl_cycles = states.size();

    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

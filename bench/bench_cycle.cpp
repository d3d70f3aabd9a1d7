// Simulated clock cycles per second of the co-simulated cycle-level PE (Verilated
// SAR ADC controllers in the loop) on a 128x128 bit-sparse block with [1,3,3,3]
// ADCs, one ADC per crossbar (ISAAC-like; BITCIM_COLUMNS_PER_ADC overrides, e.g.
// 16 for 8 ADCs per crossbar). One elaboration per process: timed by hand,
// reported as a manual-time benchmark.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <benchmark/benchmark.h>
#include <systemc>

#include "cycle/cycle_system.h"
#include "cycle/pe_cycle.h"
#include "sim/reporting.h"
#include "core/technology.h"

namespace {
double g_seconds = 0;
uint64_t g_cycles = 0;
}  // namespace

int sc_main(int argc, char* argv[]) {
    bitcim::configure_systemc_reporting();
    bitcim::core::HwConfig hw;
    hw.adc_bits = {1, 3, 3, 3};
    if (const char* cpa = std::getenv("BITCIM_COLUMNS_PER_ADC")) hw.columns_per_adc = static_cast<unsigned>(std::atoi(cpa));
    std::mt19937_64 rng(1);
    bitcim::core::IntMatrix w(128, 128);
    for (auto& v : w.data) v = (rng() % 10 == 0) ? static_cast<int64_t>(rng() % 128) - 64 : 0;
    std::vector<std::vector<uint32_t>> xs(4, std::vector<uint32_t>(128));
    for (auto& x : xs)
        for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    const auto t0 = std::chrono::steady_clock::now();
    const auto run = bitcim::run_mvm_cycle(hw, bitcim::core::default_technology(), w, xs, bitcim::TraceOptions{});
    g_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    g_cycles = run.simulated_cycles;
    std::printf("cycle-level PE: %llu clock cycles in %.3f s = %.2f M cycles/s (%zu SAR ADC RTL instances)\n",
                static_cast<unsigned long long>(g_cycles), g_seconds, g_cycles / g_seconds / 1e6,
                static_cast<size_t>(bitcim::CyclePe::adc_count(hw)));
    benchmark::RegisterBenchmark("cycle_pe/128x128", [](benchmark::State& state) {
        for (auto _ : state) state.SetIterationTime(g_seconds);
        state.counters["cycles_per_s"] = g_cycles / g_seconds;
    })->UseManualTime()->Iterations(1);
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

// Golden model speed against a plain int8 GEMV on the same matrix (DESIGN.md
// performance targets): MACs per second, as Google Benchmark items/s.
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/crossbar_layer.h"

namespace {

using bitcim::core::BitSlicedLayer;
using bitcim::core::HwConfig;
using bitcim::core::IntMatrix;

// Bit-sparse weights like a bit-slice-L1 network: most magnitudes small, few large.
IntMatrix make_weights(size_t n, bool bit_sparse) {
    std::mt19937_64 rng(1);
    IntMatrix w(n, n);
    for (auto& v : w.data) {
        const int64_t mag = bit_sparse ? ((rng() % 10 == 0) ? static_cast<int64_t>(rng() % 64) : 0)
                                       : static_cast<int64_t>(rng() % 256);
        v = (rng() & 1) ? mag : -mag;
    }
    return w;
}

std::vector<uint32_t> make_input(size_t n) {
    std::mt19937 rng(2);
    std::vector<uint32_t> x(n);
    for (auto& v : x) v = rng() % 256;
    return x;
}

void BM_Int8Gemv(benchmark::State& state) {
    const size_t n = static_cast<size_t>(state.range(0));
    const IntMatrix wm = make_weights(n, false);
    std::vector<int16_t> w(wm.data.begin(), wm.data.end());  // 8-bit magnitude + sign
    std::vector<uint8_t> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = static_cast<uint8_t>(make_input(n)[i]);
    std::vector<int32_t> y(n);
    for (auto _ : state) {
        for (size_t r = 0; r < n; ++r) {
            int32_t acc = 0;
            const int16_t* row = &w[r * n];
            for (size_t c = 0; c < n; ++c) acc += row[c] * x[c];
            y[r] = acc;
        }
        benchmark::DoNotOptimize(y.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n * n));
}

void run_golden(benchmark::State& state, bool bit_sparse, std::vector<unsigned> adc_bits) {
    const size_t n = static_cast<size_t>(state.range(0));
    HwConfig cfg;
    cfg.adc_bits = std::move(adc_bits);
    const BitSlicedLayer layer(cfg, make_weights(n, bit_sparse));
    const auto x = make_input(n);
    auto counters = layer.make_counters();
    for (auto _ : state) benchmark::DoNotOptimize(layer.run(x, counters));
    state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(n * n));
}

void BM_GoldenDense8bitAdc(benchmark::State& state) { run_golden(state, false, {8, 8, 8, 8}); }
void BM_GoldenBitSparse1333Adc(benchmark::State& state) { run_golden(state, true, {1, 3, 3, 3}); }

BENCHMARK(BM_Int8Gemv)->Arg(128)->Arg(1024);
BENCHMARK(BM_GoldenDense8bitAdc)->Arg(128)->Arg(1024);
BENCHMARK(BM_GoldenBitSparse1333Adc)->Arg(128)->Arg(1024);

}  // namespace

BENCHMARK_MAIN();

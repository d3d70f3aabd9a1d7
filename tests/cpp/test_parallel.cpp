// Work split over threads (core/parallel.h, D-090): folds in item order whatever
// the thread count, errors rethrown; a layer's MVMs give the same report on any
// number of threads, device-fault noise included.
#include <atomic>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/crossbar_layer.h"
#include "core/mvm_report.h"
#include "core/parallel.h"
#include "core/technology.h"
#include "test_configs.h"

using bitcim::core::BitSlicedLayer;
using bitcim::core::HwConfig;
using bitcim::core::IntMatrix;
using bitcim::core::MvmReport;
using bitcim::core::ordered_parallel;

TEST(OrderedParallel, FoldsEveryItemOnceInOrderOnAnyThreadCount) {
    for (unsigned threads : {0u, 1u, 2u, 3u, 8u}) {
        for (size_t count : {size_t{0}, size_t{1}, size_t{5}, size_t{64}}) {
            std::vector<std::atomic<int>> runs(count);
            std::vector<size_t> folds;
            ordered_parallel(
                count, threads,
                [&](size_t i) {
                    // Uneven work, so later items often finish before earlier ones.
                    volatile uint64_t spin = 0;
                    for (uint64_t k = 0; k < (count - i) * 2000; ++k) spin = spin + k;
                    ++runs[i];
                },
                [&](size_t i) {
                    EXPECT_EQ(runs[i].load(), 1) << "folded before its task ran";
                    folds.push_back(i);
                });
            std::vector<size_t> expected(count);
            for (size_t i = 0; i < count; ++i) expected[i] = i;
            EXPECT_EQ(folds, expected) << threads << " threads, " << count << " items";
            for (size_t i = 0; i < count; ++i) EXPECT_EQ(runs[i].load(), 1);
        }
    }
}

TEST(OrderedParallel, RethrowsTheLowestFailedItemAndFoldsNothingAfterIt) {
    for (unsigned threads : {1u, 2u, 4u}) {
        std::vector<size_t> folds;
        try {
            ordered_parallel(
                40, threads,
                [&](size_t i) {
                    if (i == 7 || i == 30) throw std::runtime_error("item " + std::to_string(i));
                },
                [&](size_t i) { folds.push_back(i); });
            FAIL() << "no exception";
        } catch (const std::runtime_error& e) {
            EXPECT_EQ(std::string(e.what()), "item 7");
        }
        for (size_t i : folds) EXPECT_LT(i, 7u);
    }
}

TEST(OrderedParallel, AvailableCoresIsAtLeastOne) { EXPECT_GE(bitcim::core::available_cores(), 1u); }

// run_golden on 1..4 threads: the same outputs, counters and energy, with ADC noise
// (a draw per vector, keyed by its index, not by the thread that runs it).
TEST(OrderedParallel, RunGoldenIsTheSameOnEveryThreadCount) {
    HwConfig c = bitcim::test::make_config(8, 2, 8, 1, 32, 8, bitcim::core::SignMode::Differential,
                                           bitcim::core::Composition::Digital, bitcim::core::AdcMode::Clip, 4, 32, 4);
    c.faults.adc_noise_sigma = 0.5;
    c.faults.stuck_lrs_rate = 0.01;
    std::mt19937_64 rng(5);
    IntMatrix w(24, 70);
    for (auto& v : w.data) v = rng() % 3 ? 0 : static_cast<int64_t>(rng() % 511) - 255;
    std::vector<std::vector<uint32_t>> xs(53, std::vector<uint32_t>(70));
    for (auto& x : xs)
        for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    const BitSlicedLayer layer(c, w);
    const auto tech = bitcim::core::default_technology();
    const MvmReport one = bitcim::core::run_golden(layer, xs, tech, 1);
    // Vector v is the v-th of the noise stream: as one run after another.
    auto k = layer.make_counters();
    for (size_t v = 0; v < xs.size(); ++v) EXPECT_EQ(one.outputs[v], layer.run(xs[v], k, v)) << v;
    EXPECT_NE(one.outputs[0], layer.run(xs[0], k, 1));  // the noise is there
    for (unsigned threads : {2u, 3u, 4u}) {
        const MvmReport r = bitcim::core::run_golden(layer, xs, tech, threads);
        EXPECT_EQ(r.outputs, one.outputs) << threads;
        EXPECT_EQ(r.counters.adc_conversions, one.counters.adc_conversions);
        EXPECT_EQ(r.counters.adc_saturations, one.counters.adc_saturations);
        EXPECT_EQ(r.counters.cell_reads, one.counters.cell_reads);
        EXPECT_EQ(r.counters.crossbar_reads, one.counters.crossbar_reads);
        EXPECT_EQ(r.counters.shift_adds, one.counters.shift_adds);
        EXPECT_EQ(r.energy.total_pj(), one.energy.total_pj());
        EXPECT_EQ(r.latency_ns, one.latency_ns);
    }
}

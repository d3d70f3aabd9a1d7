// Device non-idealities of the golden layer: stuck cells, conductance variation,
// ADC offset and noise, their determinism, and the configuration that asks for them.
#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/crossbar_layer.h"
#include "core/errors.h"
#include "test_configs.h"
#include "core/hw_config.h"

using bitcim::InputError;
using bitcim::core::AdcMode;
using bitcim::core::BitSlicedLayer;
using bitcim::core::Composition;
using bitcim::core::FaultSite;
using bitcim::core::HwConfig;
using bitcim::core::IntMatrix;
using bitcim::core::MvmCounters;
using bitcim::core::SignMode;
using bitcim::core::parse_hw_config;
using nlohmann::json;

namespace {

// 32 x 32 crossbars, 8 rows per read, ADCs shared by 4 columns, 5-bit ADCs, 8-bit formats.
HwConfig small_config(unsigned cell_bits, SignMode sign, Composition comp, AdcMode mode, unsigned dac_bits) {
    return bitcim::test::make_config(8, cell_bits, 8, dac_bits, 32, 8, sign, comp, mode, 5, 32, 4);
}

IntMatrix random_weights(const HwConfig& c, size_t outputs, size_t inputs, uint64_t seed, bool dense = false) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int64_t> any(c.weight_min(), c.weight_max());
    IntMatrix w(outputs, inputs);
    for (auto& v : w.data) v = !dense && rng() % 3 ? 0 : any(rng);
    return w;
}

std::vector<uint32_t> random_input(const HwConfig& c, size_t n, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<uint32_t> x(n);
    for (auto& v : x) v = static_cast<uint32_t>(rng() & c.input_max());
    return x;
}

std::vector<std::vector<int64_t>> run_all(const BitSlicedLayer& layer, const std::vector<std::vector<uint32_t>>& xs,
                                          MvmCounters& k) {
    std::vector<std::vector<int64_t>> ys;
    for (size_t v = 0; v < xs.size(); ++v) ys.push_back(layer.run(xs[v], k, v));
    return ys;
}

std::string error_of(const json& j) { return bitcim::test::config_error_of(j); }

}  // namespace

// A variation far below one level step never moves a clip-mode code off its
// integer, so the faulty path must give the ideal path's outputs exactly: this
// holds the bitline, ADC and shift-add of the faulty path to the ideal ones.
TEST(DeviceFaults, NegligibleVariationEqualsIdealEverywhere) {
    for (unsigned cell : {1u, 2u, 4u})
        for (SignMode sign : {SignMode::Differential, SignMode::Twos})
            for (Composition comp : {Composition::Digital, Composition::Analog})
                for (unsigned dac : {1u, 2u}) {
                    HwConfig ideal = small_config(cell, sign, comp, AdcMode::Clip, dac);
                    ideal.adc_bits.assign(ideal.num_adc_groups(), cell == 1 ? 2 : 3);  // narrow: saturations happen
                    HwConfig faulty = ideal;
                    faulty.faults.conductance_sigma = {1e-9};
                    const IntMatrix w = random_weights(ideal, 40, 70, cell * 10 + dac, true);
                    const BitSlicedLayer a(ideal, w), b(faulty, w);
                    auto ka = a.make_counters(true), kb = b.make_counters(true);
                    for (uint64_t s = 0; s < 4; ++s) {
                        const auto x = random_input(ideal, 70, s);
                        ASSERT_EQ(a.run(x, ka), b.run(x, kb)) << to_json(faulty).dump();
                    }
                    EXPECT_EQ(ka.adc_saturations, kb.adc_saturations);
                    EXPECT_EQ(ka.adc_codes, kb.adc_codes);
                    uint64_t saturations = 0;
                    for (uint64_t n : ka.adc_saturations) saturations += n;
                    EXPECT_GT(saturations, 0u) << "no saturation exercised: " << to_json(faulty).dump();
                }
}

TEST(DeviceFaults, AllCellsStuckMakeDifferentialOutputsZero) {
    for (bool lrs : {true, false}) {
        HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, AdcMode::Clip, 1);
        (lrs ? c.faults.stuck_lrs_rate : c.faults.stuck_hrs_rate) = 1.0;
        const IntMatrix w = random_weights(c, 10, 50, 3);
        const BitSlicedLayer layer(c, w);
        EXPECT_EQ(layer.fault_counts().cells, 10u * 50 * 8);
        EXPECT_EQ(lrs ? layer.fault_counts().stuck_lrs : layer.fault_counts().stuck_hrs, 10u * 50 * 8);
        auto k = layer.make_counters();
        // Both polarities read the same stuck level, so every output cancels.
        EXPECT_EQ(layer.run(random_input(c, 50, 1), k), std::vector<int64_t>(10, 0));
        // Cell reads follow the stuck level: every read cell is at the top level (LRS) or at 0.
        EXPECT_EQ(k.cell_reads[lrs ? 3 : 0] > 0, true);
        EXPECT_EQ(k.cell_reads[lrs ? 0 : 3], 0u);
    }
}

TEST(DeviceFaults, StuckCellFractionsFollowTheRates) {
    HwConfig c = small_config(2, SignMode::Twos, Composition::Digital, AdcMode::Clip, 1);
    c.faults.stuck_lrs_rate = 0.05;
    c.faults.stuck_hrs_rate = 0.10;
    const BitSlicedLayer layer(c, random_weights(c, 100, 200, 5));
    const auto& f = layer.fault_counts();
    ASSERT_EQ(f.cells, 100u * 200 * 5);  // 4 slices + the sign column
    // Within 5 binomial standard deviations.
    auto near = [&](uint64_t count, double rate) {
        const double n = static_cast<double>(f.cells);
        return std::fabs(static_cast<double>(count) - n * rate) < 5 * std::sqrt(n * rate * (1 - rate));
    };
    EXPECT_TRUE(near(f.stuck_lrs, 0.05)) << f.stuck_lrs;
    EXPECT_TRUE(near(f.stuck_hrs, 0.10)) << f.stuck_hrs;
}

TEST(DeviceFaults, VariationUsesTheSigmaOfEachLevel) {
    HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, AdcMode::Clip, 1);
    c.adc_bits.assign(4, 8);
    c.faults.conductance_sigma = {0, 0, 0, 0.4};  // only cells at level 3 vary
    IntMatrix no_top(6, 30), with_top(6, 30);
    for (auto& v : no_top.data) v = 0b10'01'10'01;     // levels 2 and 1 only
    for (auto& v : with_top.data) v = 0b11'01'10'01;   // a level-3 cell in the top slice
    HwConfig ideal = c;
    ideal.faults = {};
    const auto x = random_input(c, 30, 9);
    auto k = BitSlicedLayer(c, no_top).make_counters();
    EXPECT_EQ(BitSlicedLayer(c, no_top).run(x, k), BitSlicedLayer(ideal, no_top).run(x, k));
    EXPECT_NE(BitSlicedLayer(c, with_top).run(x, k), BitSlicedLayer(ideal, with_top).run(x, k));
}

TEST(DeviceFaults, SameSeedSameResultOtherSeedOrLayerOther) {
    HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, AdcMode::Scaled, 1);
    c.faults.stuck_lrs_rate = 0.01;
    c.faults.conductance_sigma = {0.05};
    c.faults.adc_offset_sigma = 0.3;
    c.faults.adc_noise_sigma = 0.3;
    const IntMatrix w = random_weights(c, 20, 64, 11);
    std::vector<std::vector<uint32_t>> xs;
    for (uint64_t s = 0; s < 3; ++s) xs.push_back(random_input(c, 64, s));
    auto results = [&](const HwConfig& cfg, uint64_t layer) {
        const BitSlicedLayer l(cfg, w, "w", FaultSite{layer, 0, 0});
        auto k = l.make_counters();
        return run_all(l, xs, k);
    };
    const auto base = results(c, 0);
    EXPECT_EQ(base, results(c, 0));
    EXPECT_NE(base, results(c, 1));
    HwConfig other = c;
    other.faults.seed = 2;
    EXPECT_NE(base, results(other, 0));
}

// Noise is drawn per conversion (it changes with the vector's epoch); an offset
// belongs to its ADC (it does not).
TEST(DeviceFaults, NoiseVariesWithEpochOffsetDoesNot) {
    HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, AdcMode::Clip, 1);
    const IntMatrix w = random_weights(c, 20, 64, 12);
    const auto x = random_input(c, 64, 4);
    for (bool noise : {true, false}) {
        HwConfig f = c;
        (noise ? f.faults.adc_noise_sigma : f.faults.adc_offset_sigma) = 0.6;
        const BitSlicedLayer layer(f, w);
        auto k = layer.make_counters();
        const auto y0 = layer.run(x, k, 0), y1 = layer.run(x, k, 1);
        EXPECT_EQ(layer.run(x, k, 0), y0);
        EXPECT_EQ(y0 != y1, noise);
    }
}

// A block of a layer placed at its offsets draws what the whole layer draws
// there: how the TLM chip's PEs stay bit-exact with the golden layer.
TEST(DeviceFaults, BlocksDrawWhatTheWholeLayerDraws) {
    HwConfig c = small_config(2, SignMode::Twos, Composition::Digital, AdcMode::Clip, 1);
    c.faults.stuck_hrs_rate = 0.02;
    c.faults.conductance_sigma = {0.02, 0.05, 0.05, 0.08};
    c.faults.adc_offset_sigma = 0.5;
    c.faults.adc_noise_sigma = 0.5;
    const IntMatrix w = random_weights(c, 40, 70, 13);
    const BitSlicedLayer whole(c, w, "w", FaultSite{3, 0, 0});
    auto k = whole.make_counters();
    const auto x = random_input(c, 70, 6);
    const auto expected = whole.run(x, k, 5);
    std::vector<int64_t> y(40, 0);
    for (size_t r0 = 0; r0 < 70; r0 += c.xbar_rows)
        for (size_t c0 = 0; c0 < 40; c0 += c.xbar_cols) {
            const size_t rows = std::min<size_t>(c.xbar_rows, 70 - r0), outs = std::min<size_t>(c.xbar_cols, 40 - c0);
            IntMatrix b(outs, rows);
            for (size_t o = 0; o < outs; ++o)
                for (size_t i = 0; i < rows; ++i) b.at(o, i) = w.at(c0 + o, r0 + i);
            const BitSlicedLayer block(c, b, "b", FaultSite{3, r0, c0});
            const std::vector<uint32_t> xb(x.begin() + static_cast<long>(r0), x.begin() + static_cast<long>(r0 + rows));
            const auto part = block.run(xb, k, 5);
            for (size_t o = 0; o < outs; ++o) y[c0 + o] += part[o];
        }
    EXPECT_EQ(y, expected);
}

TEST(DeviceFaults, CodeHistogramsCountEveryConversion) {
    for (AdcMode mode : {AdcMode::Clip, AdcMode::Scaled}) {
        HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, mode, 1);
        c.adc_bits = {3, 4, 5, 6};
        const IntMatrix w = random_weights(c, 20, 64, 14);
        const BitSlicedLayer layer(c, w);
        auto plain = layer.make_counters(), counted = layer.make_counters(true);
        for (uint64_t s = 0; s < 5; ++s) {
            const auto x = random_input(c, 64, s);
            ASSERT_EQ(layer.run(x, plain), layer.run(x, counted));
        }
        EXPECT_EQ(plain.adc_saturations, counted.adc_saturations);
        for (unsigned g = 0; g < 4; ++g) {
            ASSERT_EQ(counted.adc_codes[g].size(), size_t{1} << c.adc_bits[g]);
            uint64_t total = 0;
            for (uint64_t n : counted.adc_codes[g]) total += n;
            EXPECT_EQ(total, counted.adc_conversions[g]);
            if (mode == AdcMode::Clip) {  // clip saturates exactly at the top code
                EXPECT_LE(counted.adc_saturations[g], counted.adc_codes[g].back());
            }
        }
    }
}

TEST(DeviceFaults, ConfigurationNamesBadFaultSettings) {
    EXPECT_NE(error_of({{"faults", {{"stuck_lrs_rate", -0.1}}}}).find("faults.stuck_lrs_rate"), std::string::npos);
    EXPECT_NE(error_of({{"faults", {{"stuck_lrs_rate", 0.7}, {"stuck_hrs_rate", 0.5}}}}).find("must be in 0..1"),
              std::string::npos);
    EXPECT_NE(error_of({{"faults", {{"conductance_sigma", {0.1, 0.2}}}}}).find("needs 1 or one per cell level (4"),
              std::string::npos);
    EXPECT_NE(error_of({{"faults", {{"seed", -1}}}}).find("faults.seed"), std::string::npos);
    EXPECT_NE(error_of({{"faults", {{"noise", 1}}}}).find("\"faults.noise\" is not a fault key"), std::string::npos);
    EXPECT_NE(error_of({{"faults", 3}}).find("\"faults\" must be an object"), std::string::npos);
    EXPECT_NE(error_of({{"faults", {{"adc_noise_sigma", "big"}}}}).find("faults.adc_noise_sigma"), std::string::npos);
    const HwConfig ok = parse_hw_config(
        json{{"faults", {{"seed", 5}, {"stuck_hrs_rate", 1e-3}, {"conductance_sigma", 0.05}, {"adc_offset_sigma", 0.2}}}},
        "c");
    EXPECT_EQ(ok.faults.seed, 5u);
    EXPECT_TRUE(ok.faults.active());
    EXPECT_EQ(parse_hw_config(to_json(ok), "round trip").faults.conductance_sigma, ok.faults.conductance_sigma);
    EXPECT_FALSE(parse_hw_config(json::object(), "c").faults.active());
}

// Bit-slice sparsity's fault story: a zero cell stuck at HRS is no fault at all.
TEST(DeviceFaults, StuckCellsAtTheirOwnLevelChangeNothing) {
    HwConfig c = small_config(2, SignMode::Differential, Composition::Digital, AdcMode::Clip, 1);
    IntMatrix zeros(8, 40);
    c.faults.stuck_hrs_rate = 1.0;
    EXPECT_EQ(BitSlicedLayer(c, zeros).fault_counts().stuck_changed, 0u);
    c.faults.stuck_hrs_rate = 0, c.faults.stuck_lrs_rate = 1.0;
    EXPECT_EQ(BitSlicedLayer(c, zeros).fault_counts().stuck_changed, 8u * 40 * 8);
    IntMatrix top(8, 40);
    for (auto& v : top.data) v = c.weight_max();  // positive cells at the top level, negative ones at 0
    EXPECT_EQ(BitSlicedLayer(c, top).fault_counts().stuck_changed, 8u * 40 * 4);
}

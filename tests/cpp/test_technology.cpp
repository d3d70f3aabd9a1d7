#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/adc.h"
#include "core/errors.h"
#include "core/technology.h"

using namespace bitcim::core;

double round1(double v) { return std::round(v * 10) / 10; }
double round2(double v) { return std::round(v * 100) / 100; }

// Bit-slice L1 paper, Table 3: energy saving and speedup of 1- and 3-bit ADCs
// over 8-bit ones, from power ~ 2^N/(N+1) and sensing time ~ N.
TEST(Technology, ReproducesBitSliceTable3) {
    const Technology& t = default_technology();
    EXPECT_EQ(round1(t.adc_energy_pj(8) / t.adc_energy_pj(1)), 28.4);
    EXPECT_EQ(round1(t.adc_energy_pj(8) / t.adc_energy_pj(3)), 14.2);
    EXPECT_EQ(round2(t.adc_time_ns(8) / t.adc_time_ns(1)), 8.0);
    EXPECT_EQ(round2(t.adc_time_ns(8) / t.adc_time_ns(3)), 2.67);
}

TEST(Technology, DefaultsComeFromTheConfigurationFile) {
    const Technology file = load_technology(std::string(BITCIM_SOURCE_DIR) + "/config/technology.json");
    const Technology& builtin = default_technology();
    EXPECT_EQ(file.cell_read_energy_pj, builtin.cell_read_energy_pj);
    EXPECT_DOUBLE_EQ(file.adc_energy_per_conversion_pj, builtin.adc_energy_per_conversion_pj);
    EXPECT_DOUBLE_EQ(builtin.cell_energy_pj(2, 0), 0.079);
    EXPECT_DOUBLE_EQ(builtin.cell_energy_pj(2, 3), 1.49);
    EXPECT_DOUBLE_EQ(builtin.adc_energy_pj(builtin.adc_reference_bits), 0.208);
}

TEST(Technology, RefusesIncompleteFiles) {
    EXPECT_THROW(parse_technology(nlohmann::json::object(), "t.json"), bitcim::InputError);
    EXPECT_THROW(load_technology("/nonexistent/technology.json"), bitcim::InputError);
}

TEST(AdcTransfer, ClipSaturatesAtTopCode) {
    const auto adc = AdcTransfer::clip(3);
    bool sat = false;
    EXPECT_EQ(adc.convert(6, &sat), 6u);
    EXPECT_FALSE(sat);
    EXPECT_EQ(adc.convert(7, &sat), 7u);
    EXPECT_FALSE(sat);
    EXPECT_EQ(adc.convert(8, &sat), 7u);
    EXPECT_TRUE(sat);
}

TEST(AdcTransfer, ScaledPicksPowerOfTwoLsbAndRoundsHalfUp) {
    const auto adc = AdcTransfer::scaled(3, 384);  // 7 * 2^6 = 448 >= 384, 7 * 2^5 < 384
    EXPECT_EQ(adc.lsb_shift(), 6u);
    bool sat = false;
    EXPECT_EQ(adc.convert(31, &sat), 0u);
    EXPECT_EQ(adc.convert(32, &sat), 1u);
    EXPECT_EQ(adc.value(1), 64u);
    EXPECT_EQ(adc.convert(384, &sat), 6u);
    EXPECT_FALSE(sat);
    EXPECT_EQ(adc.convert(480, &sat), 7u);
    EXPECT_TRUE(sat);
    EXPECT_EQ(AdcTransfer::scaled(8, 255).lsb_shift(), 0u);
}

// Table 3's area column: 1- and 3-bit ADCs are half the area of an 8-bit one.
TEST(Technology, ReproducesBitSliceTable3AreaSaving) {
    const Technology& t = default_technology();
    EXPECT_DOUBLE_EQ(t.adc_area(8) / t.adc_area(1), 2.0);
    EXPECT_DOUBLE_EQ(t.adc_area(8) / t.adc_area(3), 2.0);
    EXPECT_DOUBLE_EQ(t.adc_area(8) / t.adc_area(6), 2.0);
    EXPECT_DOUBLE_EQ(t.adc_area(8), 0.0012);
}

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "io/csv.h"
#include "core/errors.h"
#include "test_configs.h"
#include "core/hw_config.h"

using bitcim::InputError;
using namespace bitcim::core;
using nlohmann::json;

namespace {

std::string error_of(const json& j) { return bitcim::test::config_error_of(j); }

std::string write_temp(const std::string& name, const std::string& text) {
    const std::string path = ::testing::TempDir() + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
}

std::string csv_error(const std::string& text, int64_t lo = -255, int64_t hi = 255) {
    const std::string path = write_temp("t.csv", text);
    try {
        read_int_csv(path, lo, hi, "test range");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(HwConfig, DefaultsMatchTheIssueContract) {
    const HwConfig c = parse_hw_config(json::object(), "defaults");
    EXPECT_EQ(c.weight_bits, 8u);
    EXPECT_EQ(c.cell_bits, 2u);
    EXPECT_EQ(c.parallel_rows, 128u);
    EXPECT_EQ(c.adc_bits, (std::vector<unsigned>{8, 8, 8, 8}));
    EXPECT_EQ(c.adc_mode, AdcMode::Clip);
    EXPECT_EQ(c.sign, SignMode::Differential);
    EXPECT_EQ(parse_hw_config(json{{"composition", "analog"}}, "c").adc_bits, (std::vector<unsigned>{8}));
    EXPECT_EQ(parse_hw_config(json{{"xbar_rows", 64}}, "c").parallel_rows, 64u);
}

TEST(HwConfig, RefusesImpossibleConfigurationsByName) {
    EXPECT_TRUE(has(error_of({{"parallel_rows", 100}}), "\"parallel_rows\" is 100, must divide xbar_rows"));
    EXPECT_TRUE(has(error_of({{"cell_bits", 3}}), "\"cell_bits\""));
    EXPECT_TRUE(has(error_of({{"weight_bits", 6}, {"cell_bits", 4}}), "\"weight_bits\""));
    EXPECT_TRUE(has(error_of({{"adc_bits", {1, 3, 3}}}), "has 3 entries, needs 4"));
    EXPECT_TRUE(has(error_of({{"adc_bits", {0, 3, 3, 3}}}), "\"adc_bits\""));
    EXPECT_TRUE(has(error_of({{"adc_mode", "log"}}), "must be one of clip, scaled"));
    EXPECT_TRUE(has(error_of({{"xbar_row", 64}}), "\"xbar_row\" is not a configuration key"));
    EXPECT_TRUE(has(error_of({{"dac_bits", 9}}), "\"dac_bits\""));
    EXPECT_TRUE(has(error_of({{"input_bits", "8"}}), "must be an integer"));
    EXPECT_TRUE(has(error_of({{"adc_full_scale", {10, 10, 10, 10}}}), "needs \"adc_mode\": \"scaled\""));
    EXPECT_TRUE(has(error_of(json::array()), "must be a JSON object"));
    EXPECT_EQ(error_of({{"adc_mode", "scaled"}, {"adc_full_scale", {10, 10, 10, 10}}}), "");
}

TEST(HwConfig, LoadNamesFileOnBadJson) {
    const std::string path = write_temp("bad.json", "{\"adc_bits\": [1,");
    try {
        load_hw_config(path);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_TRUE(has(e.what(), path)) << e.what();
        EXPECT_TRUE(has(e.what(), "not valid JSON")) << e.what();
    }
}

// Found by fuzz_readers: a number too large for a double is a JSON error, not a crash.
TEST(HwConfig, LoadRefusesANumberThatOverflows) {
    const std::string path = write_temp("overflow.json", "{\"parallel_rows\": 1e999}");
    EXPECT_THROW(load_hw_config(path), InputError);
}

TEST(IntCsv, ReadsRowsSkippingBlankAndCommentLines) {
    const std::string path = write_temp("ok.csv", "# weights\n1, -2,+3\r\n\n4,5,6\n");
    const IntCsv csv = read_int_csv(path, -10, 10, "r");
    ASSERT_EQ(csv.rows(), 2u);
    ASSERT_EQ(csv.cols, 3u);
    EXPECT_EQ(std::vector<int32_t>(csv.row(0), csv.row(0) + 3), (std::vector<int32_t>{1, -2, 3}));
    EXPECT_EQ(std::vector<int32_t>(csv.row(1), csv.row(1) + 3), (std::vector<int32_t>{4, 5, 6}));
    EXPECT_EQ(csv.lines[1], 4u);
}

TEST(IntCsv, NamesFileLineAndFieldOfBadInput) {
    EXPECT_TRUE(has(csv_error("1,2\n3,x\n"), "line 2, field 2: 'x' is not an integer"));
    EXPECT_TRUE(has(csv_error("1,2\n3\n"), "line 2: 1 fields, but line 1 has 2"));
    EXPECT_TRUE(has(csv_error("1,,2\n"), "line 1, field 2: empty field"));
    EXPECT_TRUE(has(csv_error("1,300\n"), "line 1, field 2: 300 is outside -255..255 (test range)"));
    EXPECT_TRUE(has(csv_error("1.5\n"), "'1.5' is not an integer"));
    EXPECT_TRUE(has(csv_error("99999999999999999999\n"), "out of the 64-bit range"));
    EXPECT_TRUE(has(csv_error("\n# nothing\n"), "no data rows"));
    EXPECT_TRUE(has(csv_error(std::string("1,\0", 3) + "2\n"), "not an integer"));
}

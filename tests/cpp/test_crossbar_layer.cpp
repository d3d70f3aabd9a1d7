#include <random>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/bit_kernel.h"
#include "core/crossbar_layer.h"
#include "core/errors.h"
#include "core/hw_config.h"
#include "core/layer_stats.h"
#include "reference/reference_mvm.h"
#include "test_configs.h"
#include "vectors.h"

using bitcim::InputError;
using bitcim::core::AdcMode;
using bitcim::core::BitSlicedLayer;
using bitcim::core::Composition;
using bitcim::core::HwConfig;
using bitcim::core::IntMatrix;
using bitcim::core::SignMode;
using bitcim::test::make_config;
using bitcim::test::reference_mvm;

namespace {

// Every combination of format, composition and ADC mode the golden model supports, small.
std::vector<HwConfig> config_space(unsigned weight_bits, unsigned input_bits, unsigned adc_bits) {
    std::vector<HwConfig> out;
    for (unsigned cell : {1u, 2u, 4u}) {
        if (weight_bits % cell) continue;
        for (unsigned dac : {1u, 2u, 3u}) {
            if (dac > input_bits) continue;
            for (unsigned p : {1u, 2u, 4u})
                for (SignMode s : {SignMode::Differential, SignMode::Twos})
                    for (Composition comp : {Composition::Digital, Composition::Analog})
                        for (AdcMode mode : {AdcMode::Clip, AdcMode::Scaled})
                            out.push_back(make_config(weight_bits, cell, input_bits, dac, 4, p, s, comp,
                                                      mode, adc_bits));
        }
    }
    return out;
}

void expect_matches_reference(const BitSlicedLayer& layer, const HwConfig& c, const IntMatrix& w,
                              const std::vector<uint32_t>& x) {
    auto counters = layer.make_counters();
    const auto y = layer.run(x, counters);
    const auto ref = reference_mvm(c, w, x);
    ASSERT_EQ(y, ref.y) << "config " << bitcim::core::to_json(c).dump();
    ASSERT_EQ(counters.adc_conversions, ref.conversions) << bitcim::core::to_json(c).dump();
    ASSERT_EQ(counters.adc_saturations, ref.saturations) << bitcim::core::to_json(c).dump();
}

int64_t dot(const IntMatrix& w, size_t row, const std::vector<uint32_t>& x) {
    int64_t s = 0;
    for (size_t i = 0; i < w.cols; ++i) s += w.at(row, i) * static_cast<int64_t>(x[i]);
    return s;
}

namespace kernel = bitcim::core::kernel;

// Every kernel test runs once per path this CPU can execute (bit_kernel.h).
class CrossbarLayer : public ::testing::TestWithParam<kernel::Path> {
protected:
    void SetUp() override { kernel::set_path(GetParam()); }
    void TearDown() override { kernel::reset_path(); }
};

std::string path_label(const ::testing::TestParamInfo<kernel::Path>& info) { return kernel::path_name(info.param); }

}  // namespace

INSTANTIATE_TEST_SUITE_P(KernelPaths, CrossbarLayer, ::testing::ValuesIn(kernel::supported_paths()), path_label);

// Every weight pair and every input pair of a 1x2 layer, for every configuration,
// with narrow ADCs so that clipping and rounding are exercised.
TEST_P(CrossbarLayer, ExhaustiveSmallCasesMatchReference) {
    for (unsigned adc_bits : {1u, 3u}) {
        for (const HwConfig& c : config_space(4, 3, adc_bits)) {
            IntMatrix w(1, 2);
            for (int64_t a = c.weight_min(); a <= c.weight_max(); ++a)
                for (int64_t b = c.weight_min(); b <= c.weight_max(); ++b) {
                    w.at(0, 0) = a;
                    w.at(0, 1) = b;
                    const BitSlicedLayer layer(c, w);
                    for (uint32_t x0 = 0; x0 <= c.input_max(); ++x0)
                        for (uint32_t x1 = 0; x1 <= c.input_max(); ++x1)
                            expect_matches_reference(layer, c, w, {x0, x1});
                }
        }
    }
}

TEST_P(CrossbarLayer, RandomCasesMatchReferenceAcrossConfigSpace) {
    std::mt19937_64 rng(7);
    for (unsigned adc_bits : {2u, 4u, 6u}) {
        for (const HwConfig& c : config_space(8, 8, adc_bits)) {
            IntMatrix w(5, 23);  // 23 rows: several crossbars of 4 rows, a partial row group
            std::uniform_int_distribution<int64_t> wd(c.weight_min(), c.weight_max());
            std::uniform_int_distribution<uint32_t> xd(0, static_cast<uint32_t>(c.input_max()));
            for (auto& v : w.data) v = (rng() % 3 == 0) ? 0 : wd(rng);
            std::vector<uint32_t> x(w.cols);
            for (auto& v : x) v = xd(rng);
            expect_matches_reference(BitSlicedLayer(c, w), c, w, x);
        }
    }
}

// With ADCs wide enough for any column sum, the model computes W·x exactly.
TEST_P(CrossbarLayer, WideAdcsGiveExactProductOnLargeMatrices) {
    std::mt19937_64 rng(11);
    for (SignMode sign : {SignMode::Differential, SignMode::Twos}) {
        for (Composition comp : {Composition::Digital, Composition::Analog}) {
            HwConfig c;
            c.sign = sign;
            c.composition = comp;
            c.parallel_rows = 32;
            c.adc_bits.assign(c.num_adc_groups(), 16);
            IntMatrix w(70, 300);  // 3 row blocks of 128, partial last block
            std::uniform_int_distribution<int64_t> wd(c.weight_min(), c.weight_max());
            for (auto& v : w.data) v = wd(rng);
            BitSlicedLayer layer(c, w);
            auto counters = layer.make_counters();
            for (int trial = 0; trial < 3; ++trial) {
                std::vector<uint32_t> x(w.cols);
                for (auto& v : x) v = static_cast<uint32_t>(rng() & 0xFF);
                const auto y = layer.run(x, counters);
                for (size_t m = 0; m < w.rows; ++m) ASSERT_EQ(y[m], dot(w, m, x)) << "output " << m;
            }
            for (uint64_t s : counters.adc_saturations) EXPECT_EQ(s, 0u);
        }
    }
}

// All-ones inputs on all-maximum weights: every MSB-slice conversion of a 1-bit
// ADC saturates, and the output falls short of W·x by the clipped amount.
TEST_P(CrossbarLayer, SaturationIsCountedAndShowsInOutput) {
    HwConfig c;
    c.xbar_rows = 16;
    c.parallel_rows = 16;
    c.adc_bits = {1, 3, 3, 3};
    IntMatrix w(2, 16);
    for (auto& v : w.data) v = 255;
    BitSlicedLayer layer(c, w);
    auto counters = layer.make_counters();
    const std::vector<uint32_t> x(16, 255);
    const auto y = layer.run(x, counters);
    // Positive columns: sum 16*3 = 48 per slice: all clip. Negative columns: sum 0.
    const uint64_t per_group = 8 /*bits*/ * 2 /*outputs*/ * 2 /*polarities*/;
    EXPECT_EQ(counters.adc_conversions, std::vector<uint64_t>(4, per_group));
    EXPECT_EQ(counters.adc_saturations, std::vector<uint64_t>(4, per_group / 2));
    // Each input bit t: slice 3 contributes 1 * 2^6, slices 2..0 contribute 7 * 2^(2k).
    const int64_t per_bit = (1 << 6) + 7 * (1 << 4) + 7 * (1 << 2) + 7;
    EXPECT_EQ(y[0], per_bit * 255);
    EXPECT_LT(y[0], dot(w, 0, x));
}

TEST_P(CrossbarLayer, CountsCellReadsByStoredValue) {
    HwConfig c;  // 8-bit weights, 2-bit cells, differential: 4 slices x 2 polarities
    IntMatrix w(1, 2);
    w.at(0, 0) = 0b11'10'01'00;  // slices 3..0 = 3, 2, 1, 0
    w.at(0, 1) = -1;
    BitSlicedLayer layer(c, w);
    auto counters = layer.make_counters();
    layer.run({1, 0}, counters);  // only row 0 driven, on input bit 0 only
    // Row 0: positive cells 0,1,2,3 and four zero cells on the negative crossbar.
    EXPECT_EQ(counters.cell_reads, (std::vector<uint64_t>{5, 1, 1, 1}));
    EXPECT_EQ(layer.cells_by_value(), (std::vector<uint64_t>{5 + 7, 1 + 1, 1, 1}));
}

TEST(CrossbarLayerBuild, MapsOntoCrossbarsPerSliceAndPolarity) {
    HwConfig c;
    c.parallel_rows = 32;
    IntMatrix w(200, 300);
    BitSlicedLayer layer(c, w);
    const auto& map = layer.mapping();
    EXPECT_EQ(map.row_blocks, 3u);
    EXPECT_EQ(map.groups_per_xbar, 4u);
    EXPECT_EQ(map.column_groups.size(), 8u);
    EXPECT_EQ(map.crossbars, 8u * 3u * 2u);  // 8 groups x 3 row blocks x 2 column blocks
    EXPECT_EQ(map.column_groups.front().name, "slice3+");
}

TEST(CrossbarLayerBuild, RefusesWeightsOutsideTheFormat) {
    HwConfig c;
    c.sign = SignMode::Twos;
    IntMatrix w(1, 3);
    w.at(0, 2) = 128;
    try {
        BitSlicedLayer layer(c, w, "W.csv");
        FAIL() << "accepted 128 as an 8-bit two's complement weight";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("row 1, column 3"), std::string::npos) << e.what();
    }
    w.at(0, 2) = -128;
    EXPECT_NO_THROW(BitSlicedLayer(c, w));
}

TEST_P(CrossbarLayer, RefusesWrongInputLengthAndRange) {
    HwConfig c;
    c.input_bits = 4;
    IntMatrix w(1, 2);
    BitSlicedLayer layer(c, w);
    auto counters = layer.make_counters();
    EXPECT_THROW(layer.run({1}, counters), InputError);
    EXPECT_THROW(layer.run({1, 16}, counters), InputError);
}

// Analog composition sums all slices of a weight before one ADC: its range is
// the whole weight's, so a clipping 8-bit ADC saturates where per-slice ADCs
// would not, and a scaled one trades saturation for a coarser LSB.
TEST_P(CrossbarLayer, AnalogCompositionShowsRangeAndResolutionLimits) {
    std::mt19937_64 rng(13);
    IntMatrix w(8, 128);
    for (auto& v : w.data) v = static_cast<int64_t>(rng() % 511) - 255;
    std::vector<uint32_t> x(128);
    for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    int64_t exact0 = 0;
    for (size_t i = 0; i < 128; ++i) exact0 += w.at(0, i) * x[i];

    HwConfig clip;
    clip.composition = Composition::Analog;
    clip.adc_bits = {8};
    BitSlicedLayer clip_layer(clip, w);
    auto kc = clip_layer.make_counters();
    const auto y_clip = clip_layer.run(x, kc);
    EXPECT_GT(kc.adc_saturations[0], kc.adc_conversions[0] / 2);
    EXPECT_NE(y_clip[0], exact0);

    HwConfig scaled = clip;
    scaled.adc_mode = AdcMode::Scaled;
    BitSlicedLayer scaled_layer(scaled, w);
    auto ks = scaled_layer.make_counters();
    const auto y_scaled = scaled_layer.run(x, ks);
    EXPECT_EQ(ks.adc_saturations[0], 0u);
    EXPECT_NE(y_scaled[0], exact0);
    // Scaled keeps the result within the LSB-rounding error: 8 bit-planes, 2
    // polarities, one half LSB (2^7 units) each, times the bit weight.
    EXPECT_LE(std::llabs(y_scaled[0] - exact0), int64_t{2} * 255 * 128);
    EXPECT_LT(std::llabs(y_scaled[0] - exact0), std::llabs(y_clip[0] - exact0));

    HwConfig digital;  // per-slice 8-bit ADCs never saturate at 128 rows x 3
    BitSlicedLayer digital_layer(digital, w);
    auto kd = digital_layer.make_counters();
    EXPECT_EQ(digital_layer.run(x, kd)[0], exact0);
}

// The Python twin (models/bitcim/hw/crossbar.py) computed these; the golden model
// must agree output for output and count for count.
TEST_P(CrossbarLayer, MatchesPythonModelOnSharedVectors) {
    const auto vectors = bitcim::test::load_vectors("mvm.json");
    ASSERT_GE(vectors.at("cases").size(), 20u);
    for (const auto& c : vectors.at("cases")) {
        const HwConfig cfg = bitcim::core::parse_hw_config(c.at("config"), "mvm.json");
        const auto rows = c.at("weights").get<std::vector<std::vector<int64_t>>>();
        IntMatrix w(rows.size(), rows.front().size());
        for (size_t r = 0; r < w.rows; ++r)
            for (size_t i = 0; i < w.cols; ++i) w.at(r, i) = rows[r][i];
        BitSlicedLayer layer(cfg, w);
        auto counters = layer.make_counters();
        std::vector<std::vector<int64_t>> got;
        for (const auto& x : c.at("inputs").get<std::vector<std::vector<uint32_t>>>()) got.push_back(layer.run(x, counters));
        EXPECT_EQ(got, c.at("output").get<std::vector<std::vector<int64_t>>>()) << c.at("config").dump();
        EXPECT_EQ(counters.adc_conversions, c.at("adc_conversions").get<std::vector<uint64_t>>()) << c.at("config").dump();
        EXPECT_EQ(counters.adc_saturations, c.at("adc_saturations").get<std::vector<uint64_t>>()) << c.at("config").dump();
    }
}

// Wide bitline sums (composed 8-bit weights, 3-bit DAC, 128 rows: several plane
// chunks per DAC step, sums past 16 bits) must agree with the reference.
TEST_P(CrossbarLayer, WideBitlineSumsStayExact) {
    std::mt19937_64 rng(17);
    for (Composition comp : {Composition::Analog, Composition::Digital}) {
        HwConfig c;
        c.composition = comp;
        c.dac_bits = 3;
        c.cell_bits = comp == Composition::Analog ? 2 : 4;
        c.adc_bits.assign(c.num_adc_groups(), 9);
        // Positive weights only: saturating both polarities alike would cancel in code+ - code-.
        IntMatrix w(3, 200);
        for (auto& v : w.data) v = static_cast<int64_t>(rng() % 256);
        std::vector<uint32_t> x(200);
        for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
        const BitSlicedLayer layer(c, w);
        auto counters = layer.make_counters();
        layer.run(x, counters);
        EXPECT_GT(counters.adc_saturations[0], 0u);
        expect_matches_reference(layer, c, w, x);
    }
}

// Full 128-row groups (two words, one or two plane blocks) through both clip
// strategies: narrow ADCs convert every non-zero signal, wide ones correct W·x where
// a sum could saturate. Sparse weights leave whole planes and row groups zero, and
// ReLU-like inputs leave whole input groups and planes zero: the skips must not matter.
TEST_P(CrossbarLayer, LargeGroupsMatchReferenceWithSkippedPlanes) {
    std::mt19937_64 rng(19);
    for (unsigned cell : {1u, 2u, 4u})
        for (unsigned input_bits : {8u, 12u})
            for (unsigned dac : {1u, 2u})
                for (unsigned adc : {1u, 3u, 5u, 8u})
                    for (SignMode sign : {SignMode::Differential, SignMode::Twos}) {
                        HwConfig c;
                        c.cell_bits = cell;
                        c.input_bits = input_bits;
                        c.dac_bits = dac;
                        c.sign = sign;
                        c.adc_bits.assign(c.num_adc_groups(), adc);
                        IntMatrix w(4, 400);  // row groups of 128, 128, 128, 16
                        std::uniform_int_distribution<int64_t> wd(c.weight_min(), c.weight_max());
                        for (size_t m = 0; m < w.rows; ++m)
                            for (size_t i = 0; i < w.cols; ++i)
                                w.at(m, i) = (i >= 128 && i < 256) || rng() % 4 ? 0 : wd(rng) / static_cast<int64_t>(m + 1);
                        std::vector<uint32_t> x(w.cols);
                        for (size_t i = 0; i < x.size(); ++i)
                            x[i] = (i >= 256 && i < 384) || rng() % 2 ? 0 : static_cast<uint32_t>(rng() & c.input_max());
                        expect_matches_reference(BitSlicedLayer(c, w), c, w, x);
                    }
}

// Cell reads (kernel::Ops::cell_reads, one dot product per value) over enough rows for
// the vector body and its tail: one level on every row reads every mapped cell once,
// and the reads of an input vector are each input's levels times its row's reads.
TEST_P(CrossbarLayer, CellReadsAreEachRowsReadsTimesItsLevels) {
    HwConfig c;  // 1-bit DAC: an input's levels are its set bits
    std::mt19937_64 rng(12);
    IntMatrix w(3, 150);
    for (auto& v : w.data) v = static_cast<int64_t>(rng() % 511) - 255;
    const BitSlicedLayer layer(c, w);
    auto every_row = layer.make_counters();
    layer.run(std::vector<uint32_t>(w.cols, 1), every_row);
    EXPECT_EQ(every_row.cell_reads, layer.cells_by_value());
    std::vector<uint32_t> x(w.cols);
    for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    auto counters = layer.make_counters();
    layer.run(x, counters);
    std::vector<uint64_t> expect(counters.cell_reads.size(), 0);
    for (size_t i = 0; i < w.cols; ++i) {
        std::vector<uint32_t> one(w.cols, 0);
        one[i] = 1;
        auto k = layer.make_counters();
        layer.run(one, k);
        for (size_t v = 0; v < expect.size(); ++v) expect[v] += k.cell_reads[v] * static_cast<uint64_t>(__builtin_popcount(x[i]));
    }
    EXPECT_EQ(counters.cell_reads, expect);
}

// The linear part's 8-bit GEMV (kernel::HalfGemvArgs, D-097) against the plain product:
// every weight from -255 to 255 (halves -128..127), inputs up to 255, partial row blocks
// and input quads, and a row of the largest products long enough to overflow an int32
// without the int32 blocks (scalar, AVX2) or the AVX-512 path's flushes.
TEST_P(CrossbarLayer, HalfGemvMatchesPlainProduct) {
    constexpr size_t kRows = kernel::kGemvRows, kQuad = kernel::kGemvQuad;
    struct Shape { size_t rows, cols; bool largest; };
    std::mt19937_64 rng(11);
    for (const Shape& sh : {Shape{1, 1, false}, Shape{5, 3, false}, Shape{16, 130, false}, Shape{17, 23, false},
                            Shape{40, 513, false}, Shape{3, 300001, false}, Shape{1, 1100000, true}}) {
        const size_t quads = (sh.cols + kQuad - 1) / kQuad, blocks = (sh.rows + kRows - 1) / kRows;
        std::vector<int64_t> w(sh.rows * sh.cols, -255);
        std::vector<uint32_t> x(sh.cols, 255);
        for (size_t i = 0; i < w.size() && !sh.largest; ++i)
            w[i] = i < 511 ? static_cast<int64_t>(i) - 255 : static_cast<int64_t>(rng() % 511) - 255;
        for (size_t i = 2; i < x.size() && !sh.largest; ++i) x[i] = static_cast<uint32_t>(rng() % 256);
        // The layout bit_kernel.h describes: per (row block, quad) 64 halves and 64 odd bits.
        std::vector<int8_t> half(blocks * quads * 64, 0);
        std::vector<uint64_t> odd(blocks * quads, 0);
        for (size_t r = 0; r < sh.rows; ++r)
            for (size_t i = 0; i < sh.cols; ++i) {
                const int64_t v = w[r * sh.cols + i];
                const size_t word = (r / kRows) * quads + i / kQuad, at = (r % kRows) * kQuad + i % kQuad;
                half[word * 64 + at] = static_cast<int8_t>((v - (v & 1)) / 2);
                odd[word] |= uint64_t(v & 1) << at;
            }
        std::vector<uint8_t> x8(quads * kQuad, 0);
        std::copy(x.begin(), x.end(), x8.begin());
        kernel::HalfGemvArgs a;
        a.half = half.data();
        a.odd = odd.data();
        a.x = x8.data();
        a.rows = sh.rows;
        a.quads = quads;
        std::vector<int64_t> y(sh.rows + 1, 0), expect(sh.rows + 1, 0);  // one past the rows: untouched
        for (size_t r = 0; r <= sh.rows; ++r) {
            y[r] = expect[r] = static_cast<int64_t>(rng() % 1000) - 500;  // the kernel adds to y
            for (size_t i = 0; i < sh.cols && r < sh.rows; ++i) expect[r] += w[r * sh.cols + i] * x[i];
        }
        kernel::active_ops().gemv_half(a, y.data());
        EXPECT_EQ(y, expect) << sh.rows << "x" << sh.cols;
    }
}

TEST(KernelPath, NamesAreParsedAndBadOnesRefused) {
    for (kernel::Path p : kernel::supported_paths()) EXPECT_EQ(kernel::parse_path(kernel::path_name(p)), p);
    for (kernel::Path p : {kernel::Path::Scalar, kernel::Path::Avx2, kernel::Path::Avx512})
        if (!kernel::path_supported(p)) EXPECT_THROW(kernel::parse_path(kernel::path_name(p)), InputError);
    try {
        kernel::parse_path("avx9000");
        FAIL() << "accepted an unknown kernel path";
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("BITCIM_KERNEL=avx9000"), std::string::npos) << e.what();
    }
    EXPECT_TRUE(kernel::path_supported(kernel::Path::Scalar));
}

TEST(LayerStats, SliceSparsityAndCrossbarUtilization) {
    HwConfig c;
    c.xbar_rows = 4;
    c.xbar_cols = 4;
    c.parallel_rows = 4;
    IntMatrix w(2, 6);           // 2 row blocks (4 + 2 rows), 1 column block
    w.at(0, 0) = 0b11'00'00'01;  // slices 3 and 0 non-zero, positive
    w.at(1, 5) = -0b00'10'00'00;  // slice 2 non-zero, negative
    const auto ratio = bitcim::core::slice_nonzero_ratio(w, c);
    EXPECT_EQ(ratio, (std::vector<double>{1.0 / 12, 1.0 / 12, 0.0, 1.0 / 12}));
    const auto util = bitcim::core::crossbar_utilization(w, c);
    ASSERT_EQ(util.size(), 2u * 4u * 2u);  // polarities x slices x row blocks
    double total = 0;
    for (double u : util) total += u * 16;
    EXPECT_DOUBLE_EQ(total, 3.0);  // three non-zero cells in all
    EXPECT_DOUBLE_EQ(util[0], 1.0 / 16);  // positive, slice 0, first row block
}

// An input packed by one layer runs on any layer of the same packing (a TLM row of PEs
// packs its input block once), with run()'s result; another packing is refused.
TEST(CrossbarLayerBuild, PackedInputIsSharedByLayersOfTheSamePacking) {
    HwConfig c = make_config(8, 2, 8, 1, 32, 16, SignMode::Differential, Composition::Digital, AdcMode::Clip, 4, 32, 4);
    std::mt19937_64 rng(9);
    auto weights = [&](size_t outputs, size_t inputs) {
        IntMatrix w(outputs, inputs);
        for (auto& v : w.data) v = rng() % 4 ? 0 : static_cast<int64_t>(rng() % 511) - 255;
        return w;
    };
    const BitSlicedLayer a(c, weights(20, 40)), b(c, weights(7, 40)), other(c, weights(20, 41));
    std::vector<uint32_t> x(40);
    for (auto& v : x) v = static_cast<uint32_t>(rng() % 256);
    BitSlicedLayer::PackedInput in;
    a.pack_input(x.data(), x.size(), in);
    EXPECT_TRUE(a.same_input_packing(b));
    EXPECT_FALSE(a.same_input_packing(other));
    for (const BitSlicedLayer* layer : {&a, &b}) {
        auto k1 = layer->make_counters(), k2 = layer->make_counters();
        std::vector<int64_t> y;
        layer->run_packed(x.data(), in, k1, 3, y);
        EXPECT_EQ(y, layer->run(x, k2, 3));
        EXPECT_EQ(k1.adc_saturations, k2.adc_saturations);
        EXPECT_EQ(k1.cell_reads, k2.cell_reads);
    }
    auto k = other.make_counters();
    std::vector<int64_t> y;
    std::vector<uint32_t> x41(41, 1);
    EXPECT_THROW(other.run_packed(x41.data(), in, k, 0, y), std::logic_error);
    x[5] = 256;  // past input_bits
    EXPECT_THROW(a.pack_input(x.data(), x.size(), in), InputError);
}

// A layer holds its bit planes and one weight copy for the linear path (int16 when 8-bit
// weights and inputs allow it), not int32 and int16 copies and a bound per signal (#15:
// a 4096x4096 layer held 4.9x its planes).
TEST(CrossbarLayerBuild, HoldsUnderTwiceItsBitPlanes) {
    HwConfig c;  // 8-bit weights and inputs, 2-bit cells, 128-row groups, differential
    std::mt19937_64 rng(4);
    IntMatrix w(512, 512);
    for (auto& v : w.data) v = rng() % 10 ? 0 : static_cast<int64_t>(rng() % 511) - 255;
    const BitSlicedLayer layer(c, w);
    EXPECT_EQ(layer.plane_bytes(), 2u * 512 * 512 * 8 / 8);  // two plane sets of 8 bits a weight
    // Planes, an int8 half and an odd bit of each weight (D-097), masks per row group: 1.67x.
    EXPECT_LE(layer.state_bytes(), layer.plane_bytes() * 170 / 100);
    EXPECT_GE(layer.state_bytes(), layer.plane_bytes() + 512u * 512 * 9 / 8);
    HwConfig wide = c;  // 16-bit weights: 4 bytes of planes, an int16 half and an odd bit a weight
    wide.weight_bits = 16;
    wide.adc_bits = std::vector<unsigned>(wide.num_adc_groups(), 8);
    for (auto& v : w.data) v *= 257;
    const BitSlicedLayer wide_layer(wide, w);
    EXPECT_EQ(wide_layer.plane_bytes(), 2u * 512 * 512 * 16 / 8);
    EXPECT_LE(wide_layer.state_bytes(), wide_layer.plane_bytes() * 160 / 100);
    EXPECT_GE(wide_layer.state_bytes(), wide_layer.plane_bytes() + 512u * 512 * 17 / 8);
}

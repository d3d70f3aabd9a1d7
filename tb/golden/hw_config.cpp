#include "hw_config.h"

#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "errors.h"

namespace bitcim::golden {

namespace {

using nlohmann::json;

constexpr unsigned kMaxWeightBits = 16;
constexpr unsigned kMaxInputBits = 16;
constexpr unsigned kMaxAdcBits = 16;
constexpr unsigned kMaxXbarDim = 4096;

const std::set<std::string> kKeys = {
    "weight_bits", "cell_bits", "input_bits", "dac_bits", "xbar_rows", "xbar_cols",
    "parallel_rows", "columns_per_adc", "adc_bits", "adc_mode", "adc_full_scale", "sign",
    "composition"};

[[noreturn]] void fail(const std::string& source, const std::string& key, const std::string& why) {
    throw InputError(source + ": \"" + key + "\" " + why);
}

unsigned get_uint(const json& j, const std::string& source, const std::string& key, unsigned dflt,
                  unsigned lo, unsigned hi) {
    if (!j.contains(key)) return dflt;
    const json& v = j.at(key);
    if (!v.is_number_integer()) fail(source, key, "must be an integer, got " + v.dump());
    const int64_t x = v.get<int64_t>();
    if (x < lo || x > hi)
        fail(source, key, "is " + std::to_string(x) + ", must be in " + std::to_string(lo) + ".." +
                              std::to_string(hi));
    return static_cast<unsigned>(x);
}

std::string get_choice(const json& j, const std::string& source, const std::string& key,
                       const std::string& dflt, const std::set<std::string>& choices) {
    if (!j.contains(key)) return dflt;
    const json& v = j.at(key);
    if (!v.is_string() || !choices.count(v.get<std::string>())) {
        std::string list;
        for (const auto& c : choices) list += (list.empty() ? "" : ", ") + c;
        fail(source, key, "is " + v.dump() + ", must be one of " + list);
    }
    return v.get<std::string>();
}

template <typename T>
std::vector<T> get_uint_list(const json& j, const std::string& source, const std::string& key,
                             uint64_t lo, uint64_t hi) {
    std::vector<T> out;
    if (!j.contains(key)) return out;
    const json& v = j.at(key);
    if (!v.is_array() || v.empty()) fail(source, key, "must be a non-empty list of integers");
    for (const json& e : v) {
        if (!e.is_number_integer() || e.get<int64_t>() < 0 ||
            static_cast<uint64_t>(e.get<int64_t>()) < lo || static_cast<uint64_t>(e.get<int64_t>()) > hi)
            fail(source, key, "has entry " + e.dump() + ", entries must be integers in " +
                                  std::to_string(lo) + ".." + std::to_string(hi));
        out.push_back(static_cast<T>(e.get<int64_t>()));
    }
    return out;
}

}  // namespace

int64_t HwConfig::weight_max() const {
    return sign == SignMode::Twos ? (int64_t{1} << (weight_bits - 1)) - 1
                                  : (int64_t{1} << weight_bits) - 1;
}

int64_t HwConfig::weight_min() const {
    return sign == SignMode::Twos ? -(int64_t{1} << (weight_bits - 1)) : -weight_max();
}

void validate(const HwConfig& c, const std::string& source) {
    if (c.cell_bits != 1 && c.cell_bits != 2 && c.cell_bits != 4)
        fail(source, "cell_bits", "is " + std::to_string(c.cell_bits) + ", must be 1, 2 or 4");
    if (c.weight_bits < 1 || c.weight_bits > kMaxWeightBits || c.weight_bits % c.cell_bits != 0)
        fail(source, "weight_bits",
             "is " + std::to_string(c.weight_bits) + ", must be a multiple of cell_bits (" +
                 std::to_string(c.cell_bits) + ") up to " + std::to_string(kMaxWeightBits));
    if (c.sign == SignMode::Twos && c.weight_bits < 2)
        fail(source, "weight_bits", "must be at least 2 with two's complement signs");
    if (c.input_bits < 1 || c.input_bits > kMaxInputBits)
        fail(source, "input_bits", "must be in 1.." + std::to_string(kMaxInputBits));
    if (c.dac_bits < 1 || c.dac_bits > c.input_bits)
        fail(source, "dac_bits", "is " + std::to_string(c.dac_bits) + ", must be in 1..input_bits (" +
                                     std::to_string(c.input_bits) + ")");
    if (c.xbar_rows < 1 || c.xbar_rows > kMaxXbarDim) fail(source, "xbar_rows", "out of range");
    if (c.xbar_cols < 1 || c.xbar_cols > kMaxXbarDim) fail(source, "xbar_cols", "out of range");
    if (c.parallel_rows < 1 || c.xbar_rows % c.parallel_rows != 0)
        fail(source, "parallel_rows",
             "is " + std::to_string(c.parallel_rows) + ", must divide xbar_rows (" +
                 std::to_string(c.xbar_rows) + ")");
    if (c.columns_per_adc < 1 || c.columns_per_adc > c.xbar_cols)
        fail(source, "columns_per_adc", "must be in 1..xbar_cols");
    if (c.composition == Composition::Analog && c.num_slices() > 1 &&
        c.xbar_cols < c.num_slices())
        fail(source, "xbar_cols", "is narrower than the columns one analog-composed weight needs");
    if (c.adc_bits.size() != c.num_adc_groups())
        fail(source, "adc_bits",
             "has " + std::to_string(c.adc_bits.size()) + " entries, needs " +
                 std::to_string(c.num_adc_groups()) +
                 (c.composition == Composition::Digital ? " (one per weight slice, MSB first)"
                                                        : " (one ADC after analog composition)"));
    for (unsigned b : c.adc_bits)
        if (b < 1 || b > kMaxAdcBits)
            fail(source, "adc_bits", "entries must be in 1.." + std::to_string(kMaxAdcBits));
    if (!c.adc_full_scale.empty()) {
        if (c.adc_mode != AdcMode::Scaled) fail(source, "adc_full_scale", "needs \"adc_mode\": \"scaled\"");
        if (c.adc_full_scale.size() != c.num_adc_groups())
            fail(source, "adc_full_scale", "needs one entry per ADC group, like adc_bits");
        for (uint64_t f : c.adc_full_scale)
            if (f < 1) fail(source, "adc_full_scale", "entries must be at least 1");
    }
}

HwConfig parse_hw_config(const json& j, const std::string& source) {
    if (!j.is_object()) throw InputError(source + ": configuration must be a JSON object");
    for (const auto& item : j.items())
        if (!kKeys.count(item.key())) fail(source, item.key(), "is not a configuration key");
    HwConfig c;
    c.weight_bits = get_uint(j, source, "weight_bits", c.weight_bits, 1, kMaxWeightBits);
    c.cell_bits = get_uint(j, source, "cell_bits", c.cell_bits, 1, 4);
    c.input_bits = get_uint(j, source, "input_bits", c.input_bits, 1, kMaxInputBits);
    c.dac_bits = get_uint(j, source, "dac_bits", c.dac_bits, 1, kMaxInputBits);
    c.xbar_rows = get_uint(j, source, "xbar_rows", c.xbar_rows, 1, kMaxXbarDim);
    c.xbar_cols = get_uint(j, source, "xbar_cols", c.xbar_cols, 1, kMaxXbarDim);
    c.parallel_rows = get_uint(j, source, "parallel_rows", c.xbar_rows, 1, kMaxXbarDim);
    c.columns_per_adc = get_uint(j, source, "columns_per_adc", c.xbar_cols, 1, kMaxXbarDim);
    c.adc_mode = get_choice(j, source, "adc_mode", "clip", {"clip", "scaled"}) == "clip"
                     ? AdcMode::Clip : AdcMode::Scaled;
    c.sign = get_choice(j, source, "sign", "differential", {"differential", "twos"}) == "twos"
                 ? SignMode::Twos : SignMode::Differential;
    c.composition = get_choice(j, source, "composition", "digital", {"digital", "analog"}) == "analog"
                        ? Composition::Analog : Composition::Digital;
    c.adc_bits = get_uint_list<unsigned>(j, source, "adc_bits", 1, kMaxAdcBits);
    if (c.adc_bits.empty()) c.adc_bits.assign(c.num_adc_groups(), 8);
    c.adc_full_scale = get_uint_list<uint64_t>(j, source, "adc_full_scale", 1, uint64_t{1} << 40);
    validate(c, source);
    return c;
}

HwConfig load_hw_config(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw InputError(path + ": cannot open configuration file");
    json j;
    try {
        j = json::parse(in);
    } catch (const json::parse_error& e) {
        throw InputError(path + ": not valid JSON: " + e.what());
    }
    return parse_hw_config(j, path);
}

json to_json(const HwConfig& c) {
    json j = {{"weight_bits", c.weight_bits},   {"cell_bits", c.cell_bits},
              {"input_bits", c.input_bits},     {"dac_bits", c.dac_bits},
              {"xbar_rows", c.xbar_rows},       {"xbar_cols", c.xbar_cols},
              {"parallel_rows", c.parallel_rows}, {"columns_per_adc", c.columns_per_adc},
              {"adc_bits", c.adc_bits},
              {"adc_mode", c.adc_mode == AdcMode::Clip ? "clip" : "scaled"},
              {"sign", c.sign == SignMode::Twos ? "twos" : "differential"},
              {"composition", c.composition == Composition::Analog ? "analog" : "digital"}};
    if (!c.adc_full_scale.empty()) j["adc_full_scale"] = c.adc_full_scale;
    return j;
}

}  // namespace bitcim::golden

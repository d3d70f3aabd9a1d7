// The configuration parser against the shared cases of tests/vectors/hw_configs.json:
// every configuration it must accept, and every one it must refuse with an error naming
// the key. The Python validator (bitcim.hw.validate, tests/python/test_hw_config.py) is
// checked against the same file, so the two sides keep the same rules.
#include <fstream>
#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/hw_config.h"

using bitcim::InputError;
using nlohmann::json;

namespace {

json load_cases() {
    const std::string path = std::string(BITCIM_VECTORS_DIR) + "/hw_configs.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open test vectors " + path);
    return json::parse(in);
}

// "" when the parser accepts the configuration, its message when it refuses it.
std::string error_of(const json& config) {
    try {
        bitcim::core::parse_hw_config(config, "cfg.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST(ConfigVectors, CoverAcceptedAndRefusedConfigurations) {
    const json cases = load_cases();
    ASSERT_TRUE(cases.is_array());
    EXPECT_GE(cases.size(), 30u);
    std::set<bool> outcomes;
    std::set<std::string> names;
    for (const json& c : cases) {
        outcomes.insert(c.at("valid").get<bool>());
        EXPECT_TRUE(names.insert(c.at("name").get<std::string>()).second) << "duplicate case " << c.at("name");
        if (!c.at("valid").get<bool>()) EXPECT_TRUE(c.contains("key")) << c.at("name");
    }
    EXPECT_EQ(outcomes, (std::set<bool>{false, true}));
}

TEST(ConfigVectors, ParserAcceptsAndRefusesAsEveryCaseSays) {
    for (const json& c : load_cases()) {
        const std::string name = c.at("name").get<std::string>();
        const std::string error = error_of(c.at("config"));
        if (c.at("valid").get<bool>()) {
            EXPECT_EQ(error, "") << name;
        } else {
            const std::string named = "cfg.json: \"" + c.at("key").get<std::string>() + "\" ";
            EXPECT_EQ(error.rfind(named, 0), 0u) << name << ": expected an error naming " << named << ", got '"
                                                 << error << "'";
        }
    }
}

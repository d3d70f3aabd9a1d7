// The message parse_hw_config gives for a configuration, "" when it accepts it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "errors.h"
#include "hw_config.h"

namespace bitcim::test {

inline std::string config_error_of(const nlohmann::json& j) {
    try {
        golden::parse_hw_config(j, "cfg.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace bitcim::test

// Loads a shared test vector file from tests/vectors/ (path fixed at build time).
#pragma once

#include <fstream>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace bitcim::test {

inline std::string vector_path(const std::string& name) {
    return std::string(BITCIM_VECTORS_DIR) + "/" + name;
}

inline nlohmann::json load_vectors(const std::string& name) {
    std::ifstream in(vector_path(name));
    if (!in) throw std::runtime_error("cannot open test vectors " + vector_path(name));
    return nlohmann::json::parse(in);
}

}  // namespace bitcim::test

// `bitcim regmap`: the chip's memory map from regmap.h, as a table or JSON
// (the Python side and the docs read it from here rather than retyping it).
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "app/cli.h"
#include "tlm/regmap.h"

namespace bitcim::cli {

namespace {

void print(bool as_json) {
    using namespace regmap;
    if (as_json) {
        nlohmann::json j;
        for (const auto& r : kRegisterTable)
            j["registers"].push_back({{"name", r.name}, {"offset", r.offset}, {"access", r.access},
                                      {"reset", r.reset}, {"stride", r.stride}, {"doc", r.doc}});
        for (const auto& w : kWindowTable)
            j["windows"].push_back({{"name", w.name}, {"base", w.base}, {"span", kWindowSpan}, {"access", w.access},
                                    {"element_bytes", w.element_bytes}, {"doc", w.doc}});
        for (const auto& e : kErrorTable) j["errors"].push_back({{"name", e.name}, {"value", e.value}, {"doc", e.doc}});
        j["id"] = kIdValue;
        std::cout << j.dump(2) << "\n";
        return;
    }
    std::printf("%-14s %-8s %-5s %-10s %s\n", "register", "offset", "acc", "reset", "meaning");
    for (const auto& r : kRegisterTable)
        std::printf("%-14s 0x%03llX%s %-5s 0x%08X %s\n", r.name, static_cast<unsigned long long>(r.offset),
                    r.stride ? "+k*" : "   ", r.access, r.reset, r.doc);
    std::printf("\n%-12s %-12s %-5s %s\n", "window", "base", "acc", "content");
    for (const auto& w : kWindowTable)
        std::printf("%-12s 0x%08llX   %-5s %s\n", w.name, static_cast<unsigned long long>(w.base), w.access, w.doc);
    std::printf("\n%-16s %-5s %s\n", "error", "code", "meaning");
    for (const auto& e : kErrorTable) std::printf("%-16s %-5u %s\n", e.name, e.value, e.doc);
}

}  // namespace

void add_regmap_command(CLI::App& app) {
    auto as_json = std::make_shared<bool>(false);
    CLI::App* cmd = app.add_subcommand("regmap", "Print the chip's register map, memory windows and error codes");
    cmd->add_flag("--json", *as_json, "as JSON");
    cmd->callback([as_json]() { print(*as_json); });
}

}  // namespace bitcim::cli

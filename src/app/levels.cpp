#include "app/levels.h"

#include <filesystem>

#include "core/errors.h"
#include "core/parallel.h"

#include "cycle/cycle_network.h"
#include "network/level_golden.h"
#include "tlm/tlm_network.h"

namespace bitcim::cli {

std::unique_ptr<core::Level> make_level(core::LevelKind kind, const LevelOptions& opt) {
    // Checked here, before elaboration: SystemC would report a bad path as its own E701 error.
    for (const auto& [option, path] : {std::pair{"--trace", opt.trace.path}, {"--trace-bus", opt.trace.bus_log}}) {
        if (path.empty()) continue;
        namespace fs = std::filesystem;
        const fs::path dir = fs::path(path).parent_path();
        std::error_code ec;
        if (!dir.empty() && !fs::is_directory(dir, ec))
            throw InputError(std::string(option) + " " + path + ": directory " + dir.string() + " does not exist");
    }
    switch (kind) {
        case core::LevelKind::Golden: return std::make_unique<core::GoldenLevel>(resolve_threads(opt.threads));
        case core::LevelKind::Tlm: return std::make_unique<TlmLevel>(opt.trace);
        case core::LevelKind::Cycle: return std::make_unique<CycleLevel>(opt.trace);
    }
    throw std::logic_error("make_level: unknown level");
}

CLI::Option* add_level_option(CLI::App* cmd, core::LevelKind& kind, const std::string& help) {
    std::string names;
    for (const auto& [name, k] : core::level_names()) names += (names.empty() ? "{" : ",") + name;
    names += "}";
    // The name becomes the enum's number here, the one place a level name is read.
    CLI::Validator by_name(
        [names](std::string& value) -> std::string {
            for (const auto& [name, k] : core::level_names())
                if (name == value) {
                    value = std::to_string(static_cast<int>(k));
                    return {};
                }
            return value + " not in " + names;
        },
        names, "LEVEL");
    return cmd->add_option("--level", kind, help)
        ->type_name("TEXT")
        ->transform(by_name)
        ->default_str(core::level_name(kind));
}

unsigned resolve_threads(unsigned threads) { return threads ? threads : core::available_cores(); }

CLI::Option* add_threads_option(CLI::App* cmd, unsigned& threads, const std::string& help) {
    return cmd->add_option("--threads", threads, help)
        ->check(CLI::Range(1u, kMaxThreads))
        ->default_str("every core (" + std::to_string(core::available_cores()) + ")");
}

}  // namespace bitcim::cli

// The columns `bitcim sweep` and `bitcim faults` take from a run report's configured
// chip: its area, an image's latency through the chip's pipeline, its throughput and
// TOPS/W; and the command-line form of the chip axes they sweep or set.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace bitcim::cli {

/// "area_mm2,chip_latency_ns,images_per_s,tops_per_w"
inline constexpr const char* kChipColumns = "area_mm2,chip_latency_ns,images_per_s,tops_per_w";
inline constexpr size_t kChipColumnCount = 4;

/// The four values, comma-separated; empty fields for a report without them (an older
/// campaign's report, resumed).
std::string chip_columns(const nlohmann::json& report);

/// "on" / "off" as a replication switch; throws InputError naming `option` otherwise.
bool parse_switch(const std::string& text, const std::string& option);

/// The cfg.json `chip` object of the given axes (unset ones left to the defaults).
nlohmann::json chip_axes(std::optional<unsigned> tiles, std::optional<bool> replication);

}  // namespace bitcim::cli

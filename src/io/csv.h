// Reader for the integer CSV files of `bitcim mvm` (weights, inputs). Errors
// name the file, line and field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bitcim::core {

struct IntCsv {
    std::vector<std::vector<int64_t>> rows;
    std::vector<size_t> lines;  ///< 1-based line number of each row
};

/// Comma-separated integers, one row a line, every row the same length.
/// Blank lines and lines starting with '#' are skipped; fields may be padded
/// with spaces. Values outside [min, max] are refused, `range_why` saying why.
IntCsv read_int_csv(const std::string& path, int64_t min, int64_t max, const std::string& range_why);

}  // namespace bitcim::core

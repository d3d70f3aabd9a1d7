// Reader for the integer CSV files of `bitcim mvm` (weights, inputs). Errors
// name the file, line and field.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bitcim::core {

/// The rows in one int32 array (the formats' values are at most 16 bits: no int64 rows).
struct IntCsv {
    std::vector<int32_t> values;  ///< row-major, rows() x cols
    size_t cols = 0;
    std::vector<size_t> lines;  ///< 1-based line number of each row
    size_t rows() const { return lines.size(); }
    const int32_t* row(size_t r) const { return values.data() + r * cols; }
};

/// Comma-separated integers (std::from_chars), one row a line, every row the same
/// length. Blank lines and lines starting with '#' are skipped; fields may be padded
/// with spaces. Values outside [min, max] are refused, `range_why` saying why; the
/// range must lie within int32.
IntCsv read_int_csv(const std::string& path, int64_t min, int64_t max, const std::string& range_why);

}  // namespace bitcim::core

#include "io/csv.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <fstream>
#include <string_view>

#include "core/errors.h"

namespace bitcim::core {

namespace {

constexpr size_t kMaxFieldsPerRow = size_t{1} << 24;

// Views, not copies: a hostile file's one huge line is held once, not once per step.
std::string_view trim(std::string_view s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string_view::npos) return {};
    const size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

// A token as it may be shown in a message: control bytes as \xNN, at most 40 chars.
std::string printable(std::string_view tok) {
    std::string out;
    for (unsigned char ch : tok.substr(0, 40)) {
        if (ch >= 0x20 && ch < 0x7F) {
            out += static_cast<char>(ch);
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02X", ch);
            out += buf;
        }
    }
    return tok.size() > 40 ? out + "..." : out;
}

}  // namespace

IntCsv read_int_csv(const std::string& path, int64_t min, int64_t max, const std::string& range_why) {
    if (min < INT32_MIN || max > INT32_MAX) throw std::logic_error("read_int_csv: a range beyond int32");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open file");
    in.seekg(0, std::ios::end);
    const uint64_t file_bytes = static_cast<uint64_t>(std::max<std::streamoff>(in.tellg(), 0));
    in.seekg(0);
    IntCsv csv;
    std::string line;
    size_t line_no = 0;
    while (std::getline(in, line)) {
        ++line_no;
        const std::string_view body = trim(line);
        if (body.empty() || body[0] == '#') continue;
        // Fields counted before any is stored: a hostile line is refused before its row
        // is allocated, and a good one is allocated once.
        const size_t fields = static_cast<size_t>(std::count(body.begin(), body.end(), ',')) + 1;
        if (fields > kMaxFieldsPerRow)
            throw InputError(path + " line " + std::to_string(line_no) + ": " + std::to_string(fields) +
                             " fields, more than " + std::to_string(kMaxFieldsPerRow));
        if (!csv.rows() && fields) {
            // Rows like the first one fill the file: one allocation for them all, usually.
            const uint64_t rows_guess = file_bytes / (line.size() + 1) + 1;
            csv.values.reserve(static_cast<size_t>(std::min<uint64_t>(rows_guess * fields, file_bytes / 2 + fields)));
        }
        const size_t row_start = csv.values.size();
        size_t start = 0;
        for (size_t field = 1;; ++field) {
            const size_t comma = body.find(',', start);
            const std::string_view tok =
                trim(body.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
            // Built only for a message: a per-field string was most of the parse time.
            auto where = [&] { return path + " line " + std::to_string(line_no) + ", field " + std::to_string(field); };
            if (tok.empty()) throw InputError(where() + ": empty field");
            const char* first = tok.data() + (tok[0] == '+' ? 1 : 0);
            const char* last = tok.data() + tok.size();
            int64_t v = 0;
            const auto [ptr, ec] = std::from_chars(first, last, v);
            if (ec == std::errc::result_out_of_range)
                throw InputError(where() + ": '" + printable(tok) + "' is out of the 64-bit range");
            if (ec != std::errc() || ptr != last) throw InputError(where() + ": '" + printable(tok) + "' is not an integer");
            if (v < min || v > max)
                throw InputError(where() + ": " + std::string(tok) + " is outside " + std::to_string(min) + ".." +
                                 std::to_string(max) + " (" + range_why + ")");
            csv.values.push_back(static_cast<int32_t>(v));
            if (comma == std::string_view::npos) break;
            start = comma + 1;
        }
        const size_t row_fields = csv.values.size() - row_start;
        if (csv.rows() && row_fields != csv.cols)
            throw InputError(path + " line " + std::to_string(line_no) + ": " + std::to_string(row_fields) +
                             " fields, but line " + std::to_string(csv.lines.front()) + " has " +
                             std::to_string(csv.cols));
        csv.cols = row_fields;
        csv.lines.push_back(line_no);
    }
    if (!csv.rows()) throw InputError(path + ": no data rows");
    return csv;
}

}  // namespace bitcim::core

#include "core/layer_stats.h"

#include "core/number_format.h"

#include <algorithm>

namespace bitcim::core {

namespace {
// The pattern a weight stores for polarity `set` (differential: 0 positive, 1 negative).
uint64_t stored(int64_t v, unsigned set, const HwConfig& c) {
    if (c.sign == SignMode::Twos) return set == 0 ? twos_pattern(v, c.weight_bits) : 0;
    if (set == 0) return v > 0 ? static_cast<uint64_t>(v) : 0;
    return v < 0 ? static_cast<uint64_t>(-v) : 0;
}
}  // namespace

std::vector<double> slice_nonzero_ratio(const IntMatrix& w, const HwConfig& c) {
    const unsigned slices = c.num_slices();
    std::vector<double> ratio(slices, 0.0);
    for (int64_t v : w.data) {
        const uint64_t pattern = stored(v, v < 0 && c.sign == SignMode::Differential ? 1 : 0, c);
        for (unsigned k = 0; k < slices; ++k) ratio[slices - 1 - k] += slice_of(pattern, k, c.cell_bits) != 0;
    }
    for (double& r : ratio) r /= w.data.empty() ? 1.0 : static_cast<double>(w.data.size());
    return ratio;
}

std::vector<double> crossbar_utilization(const IntMatrix& w, const HwConfig& c) {
    std::vector<double> out;
    const unsigned sets = c.sign == SignMode::Differential ? 2 : 1;
    const double cells = static_cast<double>(c.xbar_rows) * c.xbar_cols;
    for (unsigned set = 0; set < sets; ++set)
        for (unsigned k = 0; k < c.num_slices(); ++k)
            for (size_t r0 = 0; r0 < w.cols; r0 += c.xbar_rows)
                for (size_t c0 = 0; c0 < w.rows; c0 += c.xbar_cols) {
                    size_t nonzero = 0;
                    for (size_t o = c0; o < std::min<size_t>(w.rows, c0 + c.xbar_cols); ++o)
                        for (size_t i = r0; i < std::min<size_t>(w.cols, r0 + c.xbar_rows); ++i)
                            nonzero += slice_of(stored(w.at(o, i), set, c), k, c.cell_bits) != 0;
                    out.push_back(static_cast<double>(nonzero) / cells);
                }
    return out;
}

}  // namespace bitcim::core

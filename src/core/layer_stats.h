// What a mapped layer looks like to an architect: per-slice non-zero ratios of
// the stored weights and the utilization (non-zero cells / cells) of every crossbar.
#pragma once

#include <vector>

#include "core/hw_config.h"
#include "core/int_matrix.h"

namespace bitcim::core {

/// Fraction of non-zero slices (of |w| for differential, of the two's-complement
/// pattern for twos), MSB slice first.
std::vector<double> slice_nonzero_ratio(const IntMatrix& w, const HwConfig& cfg);

/// Non-zero cells over all cells of each physical crossbar (digital composition:
/// one crossbar per slice, polarity, row block and column block; padding counts as
/// unused cells), the mapping paper's Figure 4 quantity.
std::vector<double> crossbar_utilization(const IntMatrix& w, const HwConfig& cfg);

}  // namespace bitcim::core

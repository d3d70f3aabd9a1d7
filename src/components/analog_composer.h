// Analog bit composition (mapping paper section V): the bitline currents of a
// weight's n/c adjacent slice columns are weighted 2^(c·k) by a current-mirror
// tree and summed before one ADC.
#pragma once

#include <cstdint>
#include <vector>

namespace bitcim {

class AnalogComposer {
public:
    explicit AnalogComposer(unsigned cell_bits) : m_cell_bits(cell_bits) {}
    /// `slice_sums[k]` is slice k's bitline sum (k = 0 the LSB slice).
    uint64_t compose(const std::vector<uint64_t>& slice_sums) const {
        uint64_t total = 0;
        for (size_t k = 0; k < slice_sums.size(); ++k) total += slice_sums[k] << (m_cell_bits * k);
        return total;
    }

private:
    unsigned m_cell_bits;
};

}  // namespace bitcim

// Multi-level ReRAM cell: how many bits it holds and what reading it costs.
#pragma once

#include <cstdint>
#include <vector>

#include "technology.h"

namespace bitcim {

class CellModel {
public:
    CellModel(unsigned bits, const golden::Technology& tech);

    unsigned bits() const { return m_bits; }
    uint32_t max_value() const { return (1u << m_bits) - 1; }
    /// Read energy of a cell storing `value` at full input level.
    double read_energy_pj(uint32_t value) const { return m_read_energy_pj.at(value); }

private:
    unsigned m_bits;
    std::vector<double> m_read_energy_pj;
};

}  // namespace bitcim

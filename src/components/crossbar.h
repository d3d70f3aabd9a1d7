// A crossbar of R x C multi-level cells: programmed cell by cell, read by
// driving a group of rows with input levels and sensing every bitline's sum.
// Plain C++ (no kernel): the structural model the cycle-level PE and the
// component tests use; the TLM PE computes with the golden kernels instead.
#pragma once

#include <cstdint>
#include <vector>

namespace bitcim {

class Crossbar {
public:
    Crossbar(unsigned rows, unsigned cols, unsigned cell_bits);

    unsigned rows() const { return m_rows; }
    unsigned cols() const { return m_cols; }
    /// Throws InputError if the position or value does not fit.
    void program(unsigned row, unsigned col, uint32_t value);
    uint32_t cell(unsigned row, unsigned col) const { return m_cells[row * m_cols + col]; }
    /// Bitline sums Σ level[r] * cell[r][col] over driven rows [first, first + count).
    /// `levels` holds one input level per crossbar row.
    std::vector<uint64_t> bitline_sums(const std::vector<uint32_t>& levels, unsigned first, unsigned count) const;
    /// Adds, per stored value, the input level of every driven cell (read energy events).
    void count_reads(const std::vector<uint32_t>& levels, unsigned first, unsigned count,
                     std::vector<uint64_t>& by_value) const;

private:
    unsigned m_rows;
    unsigned m_cols;
    unsigned m_cell_bits;
    std::vector<uint8_t> m_cells;
};

}  // namespace bitcim

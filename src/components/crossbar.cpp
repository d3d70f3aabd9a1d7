#include "components/crossbar.h"

#include <string>

#include "core/errors.h"

namespace bitcim {

Crossbar::Crossbar(unsigned rows, unsigned cols, unsigned cell_bits)
    : m_rows(rows), m_cols(cols), m_cell_bits(cell_bits), m_cells(size_t{rows} * cols, 0) {}

void Crossbar::program(unsigned row, unsigned col, uint32_t value) {
    if (row >= m_rows || col >= m_cols)
        throw InputError("crossbar: cell (" + std::to_string(row) + ", " + std::to_string(col) + ") is outside " +
                         std::to_string(m_rows) + "x" + std::to_string(m_cols));
    if (value >= (1u << m_cell_bits))
        throw InputError("crossbar: value " + std::to_string(value) + " does not fit a " +
                         std::to_string(m_cell_bits) + "-bit cell");
    m_cells[size_t{row} * m_cols + col] = static_cast<uint8_t>(value);
}

std::vector<uint64_t> Crossbar::bitline_sums(const std::vector<uint32_t>& levels, unsigned first,
                                             unsigned count) const {
    std::vector<uint64_t> sums(m_cols, 0);
    for (unsigned r = first; r < first + count && r < m_rows; ++r) {
        if (!levels[r]) continue;
        const uint8_t* row = &m_cells[size_t{r} * m_cols];
        for (unsigned c = 0; c < m_cols; ++c) sums[c] += uint64_t{levels[r]} * row[c];
    }
    return sums;
}

void Crossbar::count_reads(const std::vector<uint32_t>& levels, unsigned first, unsigned count,
                           std::vector<uint64_t>& by_value) const {
    for (unsigned r = first; r < first + count && r < m_rows; ++r) {
        if (!levels[r]) continue;
        const uint8_t* row = &m_cells[size_t{r} * m_cols];
        for (unsigned c = 0; c < m_cols; ++c) by_value[row[c]] += levels[r];
    }
}

}  // namespace bitcim

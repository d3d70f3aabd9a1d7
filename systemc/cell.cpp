#include "cell.h"

namespace bitcim {

CellModel::CellModel(unsigned bits, const golden::Technology& tech) : m_bits(bits) {
    for (uint32_t v = 0; v <= max_value(); ++v) m_read_energy_pj.push_back(tech.cell_energy_pj(bits, v));
}

}  // namespace bitcim

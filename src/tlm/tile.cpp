#include "tlm/tile.h"

#include <algorithm>

namespace bitcim {

Tile::Tile(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech,
           unsigned pes_per_tile)
    : sc_module(name),
      pes("pe", pes_per_tile,
          [&cfg, &tech](const char* pe_name, size_t) { return new Pe(pe_name, cfg, tech); }),
      m_tech(tech) {}

void Tile::compute(BlockInputs& inputs, int64_t* ys, size_t m, core::MvmCounters& counters, uint64_t epoch) {
    for (Pe& pe : pes)
        if (pe.programmed()) pe.compute(inputs, ys, m, counters, epoch);
}

sc_core::sc_time Tile::vector_time() const {
    sc_core::sc_time slowest = sc_core::SC_ZERO_TIME;
    unsigned partials = 0;
    for (const Pe& pe : pes) {
        if (!pe.programmed()) continue;
        slowest = std::max(slowest, pe.latency());
        ++partials;
    }
    return slowest + partials * sc_core::sc_time(m_tech.tile_accumulate_ns, sc_core::SC_NS);
}

void Tile::mark_busy(const sc_core::sc_time& start) {
    for (Pe& pe : pes)
        if (pe.programmed()) pe.mark_busy(start, pe.latency());
}

unsigned Tile::programmed_pes() const {
    unsigned n = 0;
    for (const Pe& pe : pes) n += pe.programmed();
    return n;
}

}  // namespace bitcim

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

sc_core::sc_time Tile::mark_vector(const sc_core::sc_time& start, bool busy_lines) {
    sc_core::sc_time slowest = sc_core::SC_ZERO_TIME;
    unsigned partials = 0;
    for (Pe& pe : pes) {
        if (!pe.programmed()) continue;
        const sc_core::sc_time t = pe.latency();
        if (busy_lines) pe.mark_busy(start, t);
        slowest = std::max(slowest, t);
        ++partials;
    }
    return slowest + partials * sc_core::sc_time(m_tech.tile_accumulate_ns, sc_core::SC_NS);
}

unsigned Tile::programmed_pes() const {
    unsigned n = 0;
    for (const Pe& pe : pes) n += pe.programmed();
    return n;
}

}  // namespace bitcim

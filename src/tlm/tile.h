// Tile: a group of PEs working in parallel on blocks of a layer, and the adder
// that folds their partial sums into the tile's output register.
#pragma once

#include <vector>

#include <systemc>

#include "core/crossbar_layer.h"
#include "core/hw_config.h"
#include "tlm/pe.h"
#include "core/technology.h"

namespace bitcim {

class Tile : public sc_core::sc_module {
public:
    sc_core::sc_vector<Pe> pes;

    Tile(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech,
         unsigned pes_per_tile);
    Tile(const Tile&) = delete;
    Tile& operator=(const Tile&) = delete;

    /// Runs every programmed PE on `x`, adding partial outputs into `y`; returns the
    /// tile's latency: its slowest PE, then one accumulate per partial vector.
    /// `start` is the caller's local time offset, for the PEs' busy lines.
    sc_core::sc_time compute(const std::vector<uint32_t>& x, std::vector<int64_t>& y,
                             core::MvmCounters& counters, uint64_t epoch, const sc_core::sc_time& start);
    unsigned programmed_pes() const;

private:
    const core::Technology& m_tech;
};

}  // namespace bitcim

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

    /// Runs every programmed PE on every vector of `inputs` (vector v the `epoch + v`-th
    /// of the noise stream), adding partial outputs into `ys` (`m` a vector, row-major).
    void compute(BlockInputs& inputs, int64_t* ys, size_t m, core::MvmCounters& counters, uint64_t epoch);
    /// One vector's work on the tile starting at `start` (the caller's local time offset):
    /// marks the PEs' busy lines (with `busy_lines`) and returns the tile's latency, its
    /// slowest PE, then one accumulate per partial vector.
    sc_core::sc_time mark_vector(const sc_core::sc_time& start, bool busy_lines);
    unsigned programmed_pes() const;

private:
    const core::Technology& m_tech;
};

}  // namespace bitcim

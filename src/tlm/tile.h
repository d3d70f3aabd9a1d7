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
    /// The tile's latency for one vector: its slowest PE, then one accumulate per
    /// partial vector (the same for every vector of a programmed layer).
    sc_core::sc_time vector_time() const;
    /// Marks the busy lines of the programmed PEs for one vector starting at `start`
    /// (the caller's local time offset).
    void mark_busy(const sc_core::sc_time& start);
    unsigned programmed_pes() const;

private:
    const core::Technology& m_tech;
};

}  // namespace bitcim

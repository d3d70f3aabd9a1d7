// Draws of device non-idealities: stuck cells, conductance variation, ADC offset
// and noise. Counter-based (Philox4x64): each draw is a function of the seed, the
// layer and the logical position it applies to, never of the order of the draws,
// so the golden layer and the TLM chip's PEs (which see the layer in crossbar-sized
// blocks) draw the same faults and the same noise.
#pragma once

#include <cstddef>
#include <cstdint>

#include "core/hw_config.h"

namespace bitcim::core {

/// Where a block of weights sits in its layer, and which layer: the key of its draws.
struct FaultSite {
    uint64_t layer = 0;
    size_t first_input = 0;
    size_t first_output = 0;
};

enum class CellFault : uint8_t { None, StuckLrs, StuckHrs };

/// A cell's position: plane set (polarity), cell slot (slice index; slices for the
/// two's-complement sign column), output and input of the layer.
struct CellKey {
    unsigned plane_set;
    unsigned slot;
    uint64_t output;
    uint64_t input;
};

/// The physical ADC a conversion runs on: its column group (one per signal),
/// row block, crossbar across the outputs, and ADC within the crossbar.
struct AdcKey {
    unsigned column_group;
    uint64_t row_block;
    uint64_t xbar;
    uint64_t adc;
};

class FaultDraws {
public:
    FaultDraws(const DeviceFaults& faults, uint64_t layer) : m_faults(faults), m_layer(layer) {}

    struct Cell {
        CellFault fault;
        double conductance;  ///< in level steps, >= 0
    };
    /// The cell programmed to `level` (0 .. top_level): stuck or not, then varied.
    Cell cell(const CellKey& key, unsigned level, unsigned top_level) const;
    /// Static offset of an ADC, in LSBs.
    double adc_offset_lsb(const AdcKey& key) const;
    /// Noise of one conversion, in LSBs: output `output`, row group `group`, input
    /// chunk `chunk` of the `epoch`-th input vector the layer has seen.
    double adc_noise_lsb(unsigned column_group, uint64_t output, uint64_t group, unsigned chunk,
                         uint64_t epoch) const;

private:
    const DeviceFaults& m_faults;
    uint64_t m_layer;
};

}  // namespace bitcim::core

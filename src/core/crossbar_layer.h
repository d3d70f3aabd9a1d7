// The golden bit-sliced crossbar layer: a weight matrix mapped onto crossbars of
// c-bit cells, evaluated input bit-plane by input bit-plane with per-slice ADCs
// and shift-add, bit-exact. State is packed bit-planes, one bit per cell bit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/adc.h"
#include "core/bit_kernel.h"
#include "core/device_faults.h"
#include "core/hw_config.h"
#include "core/int_matrix.h"
#include "core/mapping.h"

namespace bitcim::core {

/// Event counts of one or more MVMs; energy and time are derived from them.
struct MvmCounters {
    std::vector<uint64_t> adc_conversions;  ///< per ADC group, MSB first
    std::vector<uint64_t> adc_saturations;  ///< per ADC group, MSB first
    /// Per stored cell value: the sum over driven cells of the applied input level
    /// (1 .. 2^dac_bits - 1); divide by the top level for full-scale reads.
    std::vector<uint64_t> cell_reads;
    uint64_t shift_adds = 0;      ///< one per ADC code accumulated
    uint64_t crossbar_reads = 0;  ///< activations of one row group of one crossbar
    /// Per ADC group, conversions by output code; empty = not collected. Sized by
    /// the caller (make_counters(true)), it makes every conversion be formed.
    std::vector<std::vector<uint64_t>> adc_codes;

    void add(const MvmCounters& other);
};

struct Technology;

/// Counters sized for a configuration's ADC groups and cell values, all zero; with
/// `adc_codes`, code histograms sized by the ADC resolutions too.
MvmCounters make_counters(const HwConfig& cfg, bool adc_codes = false);

/// The ADC transfer of ADC group `group` converting sums of `bit_count`-bit cell
/// values: clip, or scaled to the calibrated full scale (default: the largest
/// sum p * (2^d - 1) * (2^bit_count - 1)).
AdcTransfer adc_transfer(const HwConfig& cfg, unsigned group, unsigned bit_count);

/// Cells stuck by device faults, counted once when the layer is mapped.
struct FaultCounts {
    uint64_t cells = 0;  ///< mapped cells
    uint64_t stuck_lrs = 0;
    uint64_t stuck_hrs = 0;
    /// Stuck cells whose stuck level differs from the programmed one: a cell at
    /// level 0 stuck at HRS (or at the top level stuck at LRS) is harmless.
    uint64_t stuck_changed = 0;
};

class BitSlicedLayer {
public:
    /// Maps `weights` (rows = outputs, columns = inputs, already quantized) onto
    /// crossbars. Throws InputError naming `source`, row and column for a weight
    /// outside the configured format. `site` places the weights in their layer,
    /// the key of the configuration's device-fault draws.
    BitSlicedLayer(const HwConfig& cfg, const IntMatrix& weights, const std::string& source = "weights",
                   const FaultSite& site = {});

    size_t inputs() const { return m_inputs; }
    size_t outputs() const { return m_outputs; }
    const HwConfig& config() const { return m_cfg; }
    const MappingPlan& mapping() const { return m_mapping; }
    /// Rows the DACs drive in one MVM: every input chunk, every row of every crossbar.
    uint64_t row_drives() const { return uint64_t{m_cfg.num_input_chunks()} * m_mapping.row_drives_per_chunk(); }
    /// Mapped cells by stored value (padding cells of partly used crossbars excluded).
    const std::vector<uint64_t>& cells_by_value() const { return m_cells_by_value; }

    const FaultCounts& fault_counts() const { return m_fault_counts; }
    /// Bytes of the weight bit planes, and of everything the layer holds (planes, the
    /// linear path's one weight copy, masks, bounds, fault draws).
    uint64_t plane_bytes() const { return m_planes.size() * sizeof(uint64_t); }
    uint64_t state_bytes() const;

    /// Counters sized for this layer, all zero; with `adc_codes`, code histograms too.
    MvmCounters make_counters(bool adc_codes = false) const { return core::make_counters(m_cfg, adc_codes); }
    /// One MVM of an input vector of unsigned `input_bits` values; adds its events to
    /// `counters`. `epoch`: the vector's index in the layer's stream of inputs, the
    /// key of its ADC noise draws.
    std::vector<int64_t> run(const std::vector<uint32_t>& x, MvmCounters& counters, uint64_t epoch = 0) const;

    /// An input vector as the kernel reads it: transposed bit-planes per row group
    /// (kernel::BlockArgs::x), with what the bounds and the event counts need. Any layer
    /// of the same input packing (same_input_packing) runs on it, so the PEs of one row
    /// of a TLM chip pack their input block once. Reused: no allocation once sized.
    struct PackedInput {
        std::vector<uint64_t> planes;     ///< [group][word][plane]
        std::vector<uint32_t> nonzero;    ///< [group]: mask of non-zero planes
        std::vector<uint64_t> level_sum;  ///< [chunk][group]: sum of applied input levels
        std::vector<uint32_t> levels;     ///< [input]: sum of its applied levels over all chunks
        std::vector<uint8_t> x8;          ///< the input as bytes, for the narrow GEMV
        uint64_t packing = 0;             ///< the packing_key() of the layer that packed it
    };
    /// Packs `x` (inputs() values, each checked against input_bits) into `in`.
    void pack_input(const uint32_t* x, size_t n, PackedInput& in) const;
    /// One MVM like run(), on `x` packed into `in` by a layer of the same packing; the
    /// outputs go to `y` (resized to outputs()).
    void run_packed(const uint32_t* x, const PackedInput& in, MvmCounters& counters, uint64_t epoch,
                    std::vector<int64_t>& y) const;
    /// The same MVM, its outputs added to y[0 .. outputs()) (a PE's partial sums go
    /// straight into the tile's accumulation). Without `cell_reads` the caller counts the
    /// cell reads itself, for many vectors at once (add_cell_reads).
    void run_packed_add(const uint32_t* x, const PackedInput& in, MvmCounters& counters, uint64_t epoch,
                        int64_t* y, bool cell_reads = true) const;
    /// Adds the cell reads of inputs whose applied levels, summed over any number of
    /// vectors, are `level_sums` (inputs() values): reads are linear in the levels.
    void add_cell_reads(const uint32_t* level_sums, MvmCounters& counters) const;
    /// Two layers pack an input alike (same inputs, row groups, input bits, DAC, GEMV width).
    bool same_input_packing(const BitSlicedLayer& other) const { return packing_key() == other.packing_key(); }
    /// Time of one MVM: every input chunk reads every row group of the fullest
    /// crossbar in turn; crossbars work in parallel; ADCs convert their columns in turn.
    double latency_ns(const Technology& tech) const;

private:
    using InputPlanes = PackedInput;
    /// What decides how an input is packed, in one number (equal keys: the same packing).
    uint64_t packing_key() const;
    /// One plane set's signals as the kernel sees them, and their column groups.
    struct PlaneSet {
        std::vector<kernel::Signal> signals;
        std::vector<size_t> column_group;  ///< index into m_mapping.column_groups
        std::vector<uint32_t> bit_masks;    ///< per signal: its weight bits
    };

    void pack(const IntMatrix& weights, const std::string& source);
    void build_saturation_bounds();
    void count_events(const InputPlanes& in, MvmCounters& counters, bool cell_reads) const;
    /// The bitline sum of signal `s` for output `out`, row group `g`, input chunk `t`.
    uint64_t signal_sum(const ColumnGroup& s, size_t out, size_t g, unsigned t, const InputPlanes& in) const;
    /// Clip mode: codes equal sums until they saturate, so y = W·x exactly minus
    /// the clipped excess, which is looked for only where a sum could exceed the top code.
    void run_clip(const uint32_t* x, const InputPlanes& in, const kernel::Ops& ops,
                  int64_t* y, MvmCounters& counters) const;
    /// Whether clip mode should take y = W·x and correct only the sums that could
    /// saturate (cheaper when few could) rather than convert every non-zero sum.
    bool correct_linear(const InputPlanes& in) const;
    /// The exact y = W·x (clip mode's linear part).
    void linear(const uint32_t* x, const InputPlanes& in, const kernel::Ops& ops,
                int64_t* y) const;
    /// The signals of plane set `set` this input could push past the top code in group `g`.
    uint32_t risky_signals(unsigned set, size_t g, const InputPlanes& in) const;
    /// Every output's row of plane set `set` through the kernel (args.full: its value;
    /// else its correction), saturations counted.
    void clip_rows(unsigned set, const kernel::RowArgs& args, const kernel::Ops& ops, int64_t* y,
                   MvmCounters& counters) const;
    /// Whether signal `si` could exceed its top code in row group `g` on this input.
    bool risky(size_t si, size_t g, const InputPlanes& in) const;
    /// Every sum converted (scaled mode rounds each; code histograms need each).
    void run_every(const InputPlanes& in, int64_t* y, MvmCounters& counters) const;
    /// Device faults: bitline values from the drawn cell conductances, plus ADC
    /// offset and noise, each converted.
    void run_faulty(const uint32_t* x, int64_t* y, MvmCounters& counters,
                    uint64_t epoch) const;
    /// Draws every mapped cell's fault and conductance and every ADC's offset.
    void build_faults(const IntMatrix& weights);
    /// Adds a conversion to the code histogram, when one is collected.
    static void count_code(MvmCounters& counters, unsigned group, uint32_t code, uint64_t times = 1) {
        if (!counters.adc_codes.empty()) counters.adc_codes[group][code] += times;
    }
    size_t plane_index(unsigned set, size_t out, size_t group, unsigned bit) const {
        return (((set * m_outputs + out) * m_groups + group) * m_cfg.weight_bits + bit) * m_words;
    }
    size_t block_index(unsigned set, size_t out, size_t group) const { return (set * m_outputs + out) * m_groups + group; }
    size_t row_cell(size_t in, unsigned value) const { return value * m_inputs + in; }

    HwConfig m_cfg;
    size_t m_inputs;
    size_t m_outputs;
    size_t m_groups;     ///< row groups of parallel_rows rows over all inputs
    size_t m_words;      ///< 64-bit words per row group
    unsigned m_plane_sets;
    MappingPlan m_mapping;
    std::vector<AdcTransfer> m_adc;          ///< per column group, at the configured resolutions
    std::vector<uint64_t> m_planes;          ///< weight bit-planes
    /// For the linear part of clip mode, w = 2 h + o (kernel::HalfGemvArgs): h = floor(w / 2)
    /// as int8 in the VNNI layout when 8-bit weights and inputs allow the narrow GEMV, else
    /// as int16 [out][in] (the other is empty); the odd bits o in the VNNI layout.
    std::vector<int8_t> m_half8;
    std::vector<int16_t> m_half16;
    std::vector<uint64_t> m_odd;
    size_t m_quads = 0;  ///< input quads of the VNNI layout
    /// Where weight (out, in) sits in the VNNI layout: its byte, and its odd bit's word and bit.
    size_t vnni_byte(size_t out, size_t in) const {
        return vnni_word(out, in) * 64 + vnni_bit(out, in);
    }
    size_t vnni_word(size_t out, size_t in) const {
        return (out / kernel::kGemvRows) * m_quads + in / kernel::kGemvQuad;
    }
    unsigned vnni_bit(size_t out, size_t in) const {
        return static_cast<unsigned>((out % kernel::kGemvRows) * kernel::kGemvQuad + in % kernel::kGemvQuad);
    }
    std::vector<PlaneSet> m_sets;
    std::vector<unsigned> m_index_in_set;  ///< per column group: its signal index in its plane set
    std::vector<uint32_t> m_wmask;  ///< per (set, output, group): non-zero weight planes
    std::vector<uint32_t> m_nz_signals;    ///< per (set, output, group): signals with a non-zero plane
    std::vector<uint32_t> m_clip_signals;  ///< per (set, output, group): signals whose static sum passes the top code
    unsigned m_plane_blocks = 1;    ///< kernel::kPlaneLanes-plane blocks of the transposed input
    uint64_t m_nz_plane_words = 0;  ///< non-zero weight plane words in all: the full conversion's work
    /// Per (signal, group): plane words of the outputs whose static sum exceeds the top
    /// code, the correction's work where the group's input makes the signal risky.
    std::vector<uint64_t> m_risky_words;
    /// Per (cell value, input row): mapped cells, value-major so that counting the reads
    /// of one value is one dot product with the input levels (kernel::Ops::cell_reads).
    std::vector<uint32_t> m_row_cells;
    std::vector<uint64_t> m_cells_by_value;
    FaultSite m_site;
    FaultCounts m_fault_counts;
    /// With device faults: per (column group, input, output) the conductance the signal's
    /// cells present to the bitline, in units of one level step of its lowest cell.
    std::vector<float> m_conductance;
    std::vector<double> m_adc_offset;  ///< per (signal, output, group), in ADC LSBs
};

}  // namespace bitcim::core

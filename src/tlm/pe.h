// Processing element: one crossbar-sized block of a layer (R rows x one
// crossbar's worth of outputs) held on a crossbar per slice and polarity, with
// their ADCs and the shift-add. Computes with the golden kernel, so it is
// bit-exact with the golden model by construction; adds timing and a busy line.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include <systemc>

#include "core/crossbar_layer.h"
#include "core/hw_config.h"
#include "core/int_matrix.h"
#include "core/technology.h"

namespace bitcim {

/// The layer input vectors of one chunk of a run as the PEs' kernels read them: the
/// input block of each row of PEs (the PEs that share a first input) packed once per
/// vector, by the first PE of the row that asks, and shared by the others.
class BlockInputs {
public:
    /// A new chunk: `vectors` layer inputs of `k` values each, row-major at `xs`.
    void reset(const uint32_t* xs, size_t vectors, size_t k);
    size_t vectors() const { return m_vectors; }
    /// Vector v's layer input.
    const uint32_t* x(size_t v) const { return m_xs + v * m_k; }
    /// Vector v's block at `first_input`, packed by `kernel` (or a kernel of the same packing).
    const core::BitSlicedLayer::PackedInput& packed(const core::BitSlicedLayer& kernel, size_t first_input, size_t v);
    /// Per input of that block: its applied levels summed over the chunk's vectors (the
    /// cell reads of a chunk, BitSlicedLayer::add_cell_reads). At least one vector.
    const uint32_t* level_sums(const core::BitSlicedLayer& kernel, size_t first_input);

private:
    struct Row {
        size_t first_input = 0;
        uint64_t chunk = 0;  ///< the chunk it was packed for
        std::vector<core::BitSlicedLayer::PackedInput> vectors;
        std::vector<uint32_t> level_sums;
    };
    /// The row of PEs at `first_input`, its block of every vector of the chunk packed.
    Row& packed_row(const core::BitSlicedLayer& kernel, size_t first_input);
    const uint32_t* m_xs = nullptr;
    size_t m_vectors = 0, m_k = 0;
    uint64_t m_chunk = 0;
    std::vector<Row> m_rows;  ///< kept across chunks: packing reuses their buffers
};

class Pe : public sc_core::sc_module {
public:
    sc_core::sc_signal<bool> busy{"busy"};

    Pe(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech);
    Pe(const Pe&) = delete;
    Pe& operator=(const Pe&) = delete;

    /// Holds `block` (rows = outputs, cols = inputs) for layer inputs starting at
    /// `first_input` and outputs at `first_output`. Throws InputError on a weight
    /// outside the format.
    /// `layer` keys the configuration's device-fault draws, with the block's place.
    void program(const core::IntMatrix& block, size_t first_input, size_t first_output,
                 const std::vector<unsigned>& adc_bits, uint64_t layer = 0);
    void clear();
    /// A soft reset of the chip: clears the block and drops the busy line now,
    /// forgetting the edges of work scheduled ahead of the kernel's time.
    void abort();
    bool programmed() const { return static_cast<bool>(m_kernel); }
    /// Re-derives the ADC transfer functions for new run-time resolutions.
    void set_adc_bits(const std::vector<unsigned>& adc_bits);

    /// Adds this PE's partial outputs for every vector of `inputs` (vector v the
    /// `epoch + v`-th of the layer's noise stream) into `ys` (`m` outputs a vector,
    /// row-major): vector after vector on one PE, so its state stays in the cache.
    void compute(BlockInputs& inputs, int64_t* ys, size_t m, core::MvmCounters& counters, uint64_t epoch);
    /// The time of one MVM on this PE.
    const sc_core::sc_time& latency() const { return m_latency; }
    /// Raises `busy` after `start` (the caller's local time offset) and drops it
    /// `latency` later, so waveforms show work at its decoupled time. Work that starts
    /// when the last ends keeps the line high (no fall and rise at one instant): the
    /// fall waits until flush_busy().
    void mark_busy(const sc_core::sc_time& start, const sc_core::sc_time& latency);
    /// Schedules the pending fall of the busy line; before the caller's time advances.
    void flush_busy();

private:
    void toggle_busy();
    sc_core::sc_time kernel_latency() const;

    core::HwConfig m_cfg;
    const core::Technology& m_tech;
    std::shared_ptr<const core::IntMatrix> m_block;  ///< the programmed weights (shared with the cache)
    size_t m_first_input = 0;
    size_t m_first_output = 0;
    uint64_t m_layer = 0;
    std::shared_ptr<const core::BitSlicedLayer> m_kernel;
    sc_core::sc_time m_latency;          ///< of m_kernel
    /// Kernels built for earlier programmings, kept so that the same weights
    /// programmed again (every batch of a network run) are not packed again: a
    /// speed-up of the model only; the chip still charges every PROGRAM.
    struct CachedKernel {
        std::shared_ptr<const core::IntMatrix> block;
        size_t first_input = 0, first_output = 0;
        uint64_t layer = 0;
        std::vector<unsigned> adc_bits;
        std::shared_ptr<const core::BitSlicedLayer> kernel;
    };
    std::vector<CachedKernel> m_kernel_cache;
    static constexpr size_t kKernelCacheSize = 64;  ///< kernels kept per PE (oldest dropped first)
    /// Busy edges in time order (rise, fall, rise, ...): a queue, because a whole
    /// batch is computed ahead of the kernel's time and its edges wait here.
    sc_core::sc_event_queue m_busy_edges{"busy_edges"};
    bool m_force_idle = false;  ///< the next edge is abort()'s: busy goes low
    bool m_fall_pending = false;  ///< a fall of busy not yet scheduled, at m_fall_at
    sc_core::sc_time m_fall_at;
};

}  // namespace bitcim

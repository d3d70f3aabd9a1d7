#include "tlm/pe.h"

#include <algorithm>

namespace bitcim {

Pe::Pe(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech)
    : sc_module(name), m_cfg(cfg), m_tech(tech) {
    SC_HAS_PROCESS(Pe);
    SC_METHOD(toggle_busy);
    sensitive << m_busy_edges;
    dont_initialize();
}

void Pe::program(const core::IntMatrix& block, size_t first_input, size_t first_output,
                 const std::vector<unsigned>& adc_bits, uint64_t layer) {
    // One copy of the block, shared with the cache entry that holds the same weights.
    m_block.reset();
    for (const CachedKernel& c : m_kernel_cache)
        if (c.block->rows == block.rows && c.block->cols == block.cols && c.block->data == block.data) m_block = c.block;
    if (!m_block) m_block = std::make_shared<const core::IntMatrix>(block);
    m_layer = layer;
    m_first_input = first_input;
    m_first_output = first_output;
    set_adc_bits(adc_bits);
}

void Pe::clear() { m_kernel.reset(); }

void Pe::abort() {
    clear();
    m_fall_pending = false;
    m_busy_edges.cancel_all();
    m_force_idle = true;
    m_busy_edges.notify(sc_core::SC_ZERO_TIME);
}

void Pe::set_adc_bits(const std::vector<unsigned>& adc_bits) {
    // Everything the kernel is built from: the weights, their place (fault draws) and the ADCs.
    m_kernel.reset();
    for (const CachedKernel& c : m_kernel_cache)
        if (c.layer == m_layer && c.first_input == m_first_input && c.first_output == m_first_output &&
            c.adc_bits == adc_bits && c.block == m_block) {
            m_kernel = c.kernel;
            break;
        }
    if (!m_kernel) {
        core::HwConfig cfg = m_cfg;
        cfg.adc_bits = adc_bits;
        m_kernel = std::make_shared<const core::BitSlicedLayer>(
            cfg, *m_block, name(), core::FaultSite{m_layer, m_first_input, m_first_output});
        if (m_kernel_cache.size() == kKernelCacheSize) m_kernel_cache.erase(m_kernel_cache.begin());
        m_kernel_cache.push_back({m_block, m_first_input, m_first_output, m_layer, adc_bits, m_kernel});
    }
    m_latency = kernel_latency();
}

sc_core::sc_time Pe::kernel_latency() const {
    return sc_core::sc_time(m_kernel->latency_ns(m_tech), sc_core::SC_NS);
}

void Pe::compute(BlockInputs& inputs, int64_t* ys, size_t m, core::MvmCounters& counters, uint64_t epoch) {
    for (size_t v = 0; v < inputs.vectors(); ++v) {
        const uint32_t* x = inputs.x(v) + m_first_input;
        m_kernel->run_packed_add(x, inputs.packed(*m_kernel, m_first_input, v), counters, epoch + v,
                                 ys + v * m + m_first_output, false);
    }
    // Reads are linear in the levels: one count for the chunk, from sums its row of PEs shares.
    if (inputs.vectors()) m_kernel->add_cell_reads(inputs.level_sums(*m_kernel, m_first_input), counters);
}

void BlockInputs::reset(const uint32_t* xs, size_t vectors, size_t k) {
    m_xs = xs, m_vectors = vectors, m_k = k;
    ++m_chunk;
}

BlockInputs::Row& BlockInputs::packed_row(const core::BitSlicedLayer& kernel, size_t first_input) {
    Row* row = nullptr;
    for (Row& r : m_rows)
        if (r.first_input == first_input) row = &r;
    if (!row) {
        m_rows.push_back({first_input, 0, {}, {}});
        row = &m_rows.back();
    }
    if (row->chunk != m_chunk) {
        row->vectors.resize(std::max(row->vectors.size(), m_vectors));
        row->level_sums.assign(kernel.inputs(), 0);
        for (size_t u = 0; u < m_vectors; ++u) {
            core::BitSlicedLayer::PackedInput& in = row->vectors[u];
            kernel.pack_input(x(u) + first_input, kernel.inputs(), in);
            for (size_t i = 0; i < in.levels.size(); ++i) row->level_sums[i] += in.levels[i];
        }
        row->chunk = m_chunk;
    }
    return *row;
}

const core::BitSlicedLayer::PackedInput& BlockInputs::packed(const core::BitSlicedLayer& kernel, size_t first_input,
                                                              size_t v) {
    return packed_row(kernel, first_input).vectors[v];
}

const uint32_t* BlockInputs::level_sums(const core::BitSlicedLayer& kernel, size_t first_input) {
    return packed_row(kernel, first_input).level_sums.data();
}

void Pe::mark_busy(const sc_core::sc_time& start, const sc_core::sc_time& latency) {
    const sc_core::sc_time rise = sc_core::sc_time_stamp() + start;
    if (m_fall_pending && rise == m_fall_at) {  // back to back: the line stays high
        m_fall_at = rise + latency;
        return;
    }
    flush_busy();
    m_busy_edges.notify(start);
    m_fall_at = rise + latency;
    m_fall_pending = true;
}

void Pe::flush_busy() {
    if (!m_fall_pending) return;
    m_busy_edges.notify(m_fall_at - sc_core::sc_time_stamp());
    m_fall_pending = false;
}

void Pe::toggle_busy() {
    busy.write(m_force_idle ? false : !busy.read());
    m_force_idle = false;
}

}  // namespace bitcim

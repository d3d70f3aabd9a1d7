#include "tlm/chip.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "tlm/pe.h"

namespace bitcim {

namespace {

using namespace regmap;
using sc_core::sc_time;
using sc_core::SC_NS;

constexpr unsigned kWordBytes = 8;  // buffer port width

using core::ceil_div;

const ChipParams& validated(const ChipParams& params) {
    core::validate(params.hw, "chip configuration");
    return params;
}

/// Whole nanoseconds in `t`, exactly (to_seconds() * 1e9 can land a hair below).
uint64_t whole_ns(const sc_time& t) { return t.value() / sc_time(1, SC_NS).value(); }

uint32_t lo(uint64_t v) { return static_cast<uint32_t>(v); }
uint32_t hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }

template <typename T>
T load_le(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

}  // namespace

Chip::Chip(const sc_core::sc_module_name& name, const ChipParams& params, const core::Technology& tech)
    : sc_module(name),
      socket("socket"),
      irq("irq"),
      tiles("tile", params.tiles,
            [&params, &tech](const char* n, size_t) { return new Tile(n, params.hw, tech, params.pes_per_tile); }),
      m_params(validated(params)),  // before the registers, which are sized by it
      m_tech(tech) {
    socket.register_b_transport(this, &Chip::b_transport);
    socket.register_get_direct_mem_ptr(this, &Chip::get_direct_mem_ptr);
    socket.register_transport_dbg(this, &Chip::transport_dbg);

    const core::HwConfig& hw = m_params.hw;
    const core::MappingPlan pe_plan = core::plan_pe(hw);
    m_adcs_per_pe = pe_plan.adcs_per_pe();
    m_weights.assign(size_t{pe_count()} * pe_plan.inputs * pe_plan.outputs * kWeightBytes, 0);
    m_inputs.assign(m_params.input_buffer_bytes, 0);
    m_outputs.assign(m_params.output_buffer_bytes, 0);
    m_zero_counters = core::make_counters(hw, m_params.adc_code_histograms);
    // Histograms grow to the run-time resolution of the runs they count.
    for (auto& h : m_zero_counters.adc_codes) h.clear();
    m_counters = m_zero_counters;

    m_bank.check_complete();
    m_ctrl.on_write(&Chip::write_ctrl);
    m_irq_enable.on_write(&Chip::write_irq_enable);
    m_irq_status.on_write(&Chip::write_irq_status);
    m_saturations_lo.on_read(&Chip::read_saturations_lo);
    m_saturations_hi.on_read(&Chip::read_saturations_hi);
    m_conversions_lo.on_read(&Chip::read_conversions_lo);
    m_conversions_hi.on_read(&Chip::read_conversions_hi);
    m_busy_ns_lo.on_read(&Chip::read_busy_ns_lo);
    m_busy_ns_hi.on_read(&Chip::read_busy_ns_hi);

    SC_HAS_PROCESS(Chip);
    SC_THREAD(controller);
    SC_METHOD(drive_irq);
    sensitive << m_irq_changed;
    dont_initialize();
    SC_METHOD(count_active_adcs);
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) sensitive << pe.busy;
    dont_initialize();
}

// ---- bus side -------------------------------------------------------------------
// Every refusal answers before anything changes (regmap::kResponseTable).

void Chip::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const sc_time at = sc_core::sc_time_stamp() + delay;
    decode(trans, delay);
    if (bus.enabled()) bus.record(trans, at, target_name(trans.get_address()));
}

std::string Chip::target_name(uint64_t addr) const {
    if (addr < kRegisterSpan) {
        unsigned element = 0;
        const RegisterBase* r = m_bank.find(addr, &element);
        if (!r) return "unmapped";
        return r->spec().count > 1 ? std::string(r->name()) + "[" + std::to_string(element) + "]" : r->name();
    }
    for (const WindowSpec& w : kWindowTable)
        if (addr >= w.base && addr < w.base + kWindowSpan) {
            char offset[24];
            std::snprintf(offset, sizeof offset, "+0x%llx", static_cast<unsigned long long>(addr - w.base));
            return std::string(w.name) + offset;
        }
    return "unmapped";
}

void Chip::decode(tlm::tlm_generic_payload& trans, sc_time& delay) {
    if (trans.get_byte_enable_ptr()) {
        trans.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
        return;
    }
    if (trans.get_streaming_width() < trans.get_data_length()) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    if (trans.get_address() < kRegisterSpan) {
        access_register(trans, delay);
    } else {
        access_window(trans, delay);
    }
}

bool Chip::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
    // No DMI anywhere in the map, for reads or writes: a pointer would bypass the
    // busy checks. The range tells the initiator not to ask again.
    dmi.allow_read_write();
    dmi.set_start_address(0);
    dmi.set_end_address(~uint64_t{0});
    return false;
}

unsigned Chip::transport_dbg(tlm::tlm_generic_payload&) { return 0; }  // not supported: no bytes moved

void Chip::access_register(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    if (trans.get_data_length() != 4) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    unsigned element = 0;
    RegisterBase* r = m_bank.find(addr, &element);
    if (!r) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    const bool write = trans.is_write();
    if (!(write ? r->writable() : r->readable()) || (busy_now() && !r->open_while_busy(write))) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    uint32_t value = 0;
    if (trans.is_read()) {
        value = r->bus_read(element);
        std::memcpy(trans.get_data_ptr(), &value, 4);
    } else if (write) {
        std::memcpy(&value, trans.get_data_ptr(), 4);
        m_access_delay = delay;
        r->bus_write(element, value);
    }
    delay += sc_time(m_tech.register_access_ns, SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Chip::access_window(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const uint64_t len = trans.get_data_length();
    const WindowSpec* window = nullptr;
    for (const WindowSpec& w : kWindowTable)
        if (addr >= w.base && addr < w.base + kWindowSpan) window = &w;
    std::vector<uint8_t>* buffer = !window                   ? nullptr
                                   : window->base == WEIGHTS_BASE ? &m_weights
                                   : window->base == INPUTS_BASE  ? &m_inputs
                                                                  : &m_outputs;
    const uint64_t offset = window ? addr - window->base : 0;
    if (!buffer || offset % window->element_bytes != 0 || offset > buffer->size() || len > buffer->size() - offset) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (len == 0 || len % window->element_bytes != 0) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    const bool write = trans.is_write();
    const bool writable = window->base != OUTPUTS_BASE;
    const bool open = window->busy == WhileBusy::Open ||
                      (write ? window->busy != WhileBusy::NoWrite : window->busy != WhileBusy::NoRead);
    if ((write && !writable) || (busy_now() && !open)) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (trans.is_read()) std::memcpy(trans.get_data_ptr(), buffer->data() + offset, len);
    if (write) std::memcpy(buffer->data() + offset, trans.get_data_ptr(), len);
    delay += static_cast<double>(ceil_div(len, kWordBytes)) * sc_time(m_tech.buffer_access_ns, SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ---- register handlers -------------------------------------------------------------
// They run in the host's thread (inside b_transport), the controller in its own.

void Chip::write_ctrl(uint32_t value) {
    if (value & CTRL_RESET) {
        soft_reset();
        return;
    }
    const uint32_t commands = value & (CTRL_PROGRAM | CTRL_START);
    if (!(value & CTRL_CLEAR_COUNTERS) && !commands) return;
    if (busy_now()) {
        // The job in flight goes on; the refused command is reported beside it.
        m_failed = true;
        m_error = ERR_BUSY;
        m_irq_events |= IRQ_ERROR;
        update();
        return;
    }
    if (value & CTRL_CLEAR_COUNTERS) {
        m_counters = m_zero_counters;
        m_energy = core::EnergyReport{};
        m_busy_time = sc_core::SC_ZERO_TIME;
    }
    if (!commands) return;
    m_commands = commands;
    ++m_job;
    m_job_start = sc_core::sc_time_stamp() + m_access_delay;
    m_done = m_failed = false;
    m_error = ERR_NONE;
    m_command.notify(m_access_delay);
    update();
}

void Chip::soft_reset() {
    ++m_job;  // whatever the controller is doing belongs to an aborted job now
    m_commands = 0;
    m_programmed = m_done = m_failed = false;
    m_error = ERR_NONE;
    m_irq_events = 0;
    m_bank.reset();
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) pe.abort();
    m_programmed_inputs = m_programmed_outputs = 0;
    m_programmed_adc_bits.clear();
    m_counters = m_zero_counters;
    m_energy = core::EnergyReport{};
    m_busy_time = sc_core::SC_ZERO_TIME;
    m_reset_event.notify();  // the controller drops the job and lowers busy at once
    update();
}

void Chip::write_irq_enable(uint32_t value) {
    m_irq_enable.set(value);
    update();
}

void Chip::write_irq_status(uint32_t value) {
    m_irq_events &= ~value;  // write one to clear
    update();
}

uint32_t Chip::read_saturations_lo(unsigned group) const { return lo(m_counters.adc_saturations[group]); }
uint32_t Chip::read_saturations_hi(unsigned group) const { return hi(m_counters.adc_saturations[group]); }
uint32_t Chip::read_conversions_lo(unsigned group) const { return lo(m_counters.adc_conversions[group]); }
uint32_t Chip::read_conversions_hi(unsigned group) const { return hi(m_counters.adc_conversions[group]); }
uint32_t Chip::read_busy_ns_lo() const { return lo(whole_ns(m_busy_time)); }
uint32_t Chip::read_busy_ns_hi() const { return hi(whole_ns(m_busy_time)); }

void Chip::update() {
    m_status.set((m_commands ? STATUS_BUSY : 0u) | (m_programmed ? STATUS_PROGRAMMED : 0u) |
                 (m_done ? STATUS_DONE : 0u) | (m_failed ? STATUS_ERROR : 0u));
    m_error_code.set(m_error);
    m_irq_status.set(m_irq_events);
    const bool level = (m_irq_events & m_irq_enable.value()) != 0;
    if (level != m_irq_level) {
        // The line itself is written by one method, at the time of the change.
        m_irq_level = level;
        m_irq_changed.notify(sc_core::SC_ZERO_TIME);
    }
}

void Chip::drive_irq() { irq.write(m_irq_level); }

// ---- control ---------------------------------------------------------------------

void Chip::controller() {
    while (true) {
        // A command accepted while the controller was still dropping an aborted
        // job has already been notified: the job counter, not the event, says so.
        while (!busy_now() || m_served == m_job) wait(m_command);
        const uint64_t job = m_served = m_job;
        if (sc_core::sc_time_stamp() < m_job_start) wait(m_job_start - sc_core::sc_time_stamp(), m_reset_event);
        if (m_job != job) continue;
        m_qk.reset();
        busy.write(true);
        current_layer.write(m_layer_id.value());
        uint32_t error = ERR_NONE;
        const uint32_t commands = m_commands;
        if (commands & CTRL_PROGRAM) error = program_layer();
        if (error == ERR_NONE && (commands & CTRL_START)) error = run_layer(job);
        if (sync(job)) {
            if (error == ERR_NONE && (commands & CTRL_START)) {
                m_counters.add(m_run.counters);
                m_energy += m_run.energy;
                m_busy_time += m_run.busy;
                m_noise_epoch_lo.set(lo(m_run.next_epoch));
                m_noise_epoch_hi.set(hi(m_run.next_epoch));
            }
            finish(error);
        }
        busy.write(false);
    }
}

bool Chip::sync(uint64_t job) {
    for (Tile* t : m_active_tiles)
        for (Pe& pe : t->pes) pe.flush_busy();  // busy lines fall before time moves on
    if (m_job == job) wait(m_qk.get_local_time(), m_reset_event);
    m_qk.reset();
    return m_job == job;
}

std::vector<unsigned> Chip::adc_bits_from_registers(bool* ok) const {
    std::vector<unsigned> bits;
    *ok = true;
    for (unsigned k = 0; k < m_params.hw.num_adc_groups(); ++k) {
        const uint32_t b = m_adc_bits.value(k);
        if (b == 0 || b > m_params.hw.adc_bits[k]) *ok = false;
        bits.push_back(b);
    }
    return bits;
}

uint32_t Chip::program_layer() {
    const core::HwConfig& hw = m_params.hw;
    const size_t k = m_layer_inputs.value();
    const size_t m = m_layer_outputs.value();
    m_programmed = false;
    update();
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) pe.clear();
    if (k == 0 || m == 0) return ERR_BAD_SHAPE;
    const core::MappingPlan plan = core::plan_mapping(hw, k, m);
    if (plan.pe_blocks.size() > pe_count() || k * m * kWeightBytes > m_weights.size()) return ERR_LAYER_TOO_LARGE;
    bool ok = false;
    const std::vector<unsigned> adc_bits = adc_bits_from_registers(&ok);
    if (!ok) return ERR_BAD_ADC_BITS;

    for (size_t b = 0; b < plan.pe_blocks.size(); ++b) {
        const core::PeBlock& blk = plan.pe_blocks[b];
        core::IntMatrix w(blk.outputs, blk.inputs);
        for (size_t o = 0; o < blk.outputs; ++o)
            for (size_t i = 0; i < blk.inputs; ++i)
                w.at(o, i) = load_le<int16_t>(
                    &m_weights[((blk.first_output + o) * k + blk.first_input + i) * kWeightBytes]);
        const core::PePlace place = core::MappingPlan::place(b, m_params.pes_per_tile);
        try {
            tiles[place.tile].pes[place.pe].program(w, blk.first_input, blk.first_output, adc_bits,
                                                    m_layer_id.value());
        } catch (const InputError&) {
            return ERR_WEIGHT_RANGE;
        }
    }
    m_programmed_inputs = k;
    m_programmed_outputs = m;
    m_programmed_adc_bits = adc_bits;
    m_qk.inc(static_cast<double>(ceil_div(k * m * kWeightBytes, kWordBytes)) * sc_time(m_tech.buffer_access_ns, SC_NS));
    m_programmed = true;
    update();
    return ERR_NONE;
}

uint32_t Chip::run_layer(uint64_t job) {
    if (!m_programmed) return ERR_NOT_PROGRAMMED;
    const size_t k = m_programmed_inputs, m = m_programmed_outputs;
    const size_t batch = m_batch.value();
    if (batch * k * kInputBytes > m_inputs.size() || batch * m * kOutputBytes > m_outputs.size())
        return ERR_BATCH_TOO_LARGE;
    bool ok = false;
    const std::vector<unsigned> adc_bits = adc_bits_from_registers(&ok);
    if (!ok) return ERR_BAD_ADC_BITS;
    if (adc_bits != m_programmed_adc_bits) {
        for (Tile& t : tiles)
            for (Pe& pe : t.pes)
                if (pe.programmed()) pe.set_adc_bits(adc_bits);
        m_programmed_adc_bits = adc_bits;
    }
    const sc_time word(m_tech.buffer_access_ns, SC_NS);
    const sc_time stage_in = static_cast<double>(ceil_div(k * kInputBytes, kWordBytes)) * word;
    const sc_time stage_out = static_cast<double>(ceil_div(m * kOutputBytes, kWordBytes)) * word;
    const sc_time run_start = m_qk.get_current_time();
    core::MvmCounters run_counters = m_zero_counters;
    const uint64_t epoch = (uint64_t{m_noise_epoch_hi.value()} << 32) | m_noise_epoch_lo.value();
    // The model computes a chunk of vectors ahead, PE by PE (a PE's state stays in the
    // cache over the chunk; each row of PEs packs an input block once per vector), then
    // advances time, busy lines and the output window vector by vector, as the chip does.
    std::vector<uint32_t> xs;
    std::vector<int64_t> ys;
    m_active_tiles.clear();  // the model visits only the tiles that hold work
    sc_time stage_pe = sc_core::SC_ZERO_TIME;  // the slowest tile, the same for every vector
    for (Tile& t : tiles)
        if (t.programmed_pes()) {
            m_active_tiles.push_back(&t);
            stage_pe = std::max(stage_pe, t.vector_time());
        }
    for (size_t v0 = 0; v0 < batch; v0 += kComputeChunk) {
        const size_t chunk = std::min(kComputeChunk, batch - v0);
        // The vectors before the first input out of range are computed; that one fails.
        xs.resize(chunk * k);
        const uint8_t* window = &m_inputs[v0 * k * kInputBytes];
        uint32_t any_bits = 0;  // top is 2^b - 1: some input is above it iff the OR of all is
        for (size_t i = 0; i < chunk * k; ++i) any_bits |= xs[i] = load_le<uint16_t>(window + i * kInputBytes);
        const uint32_t top = static_cast<uint32_t>(m_params.hw.input_max());
        size_t valid = chunk;  // the search runs only on a chunk with an input out of range
        if (any_bits > top)
            valid = static_cast<size_t>(std::find_if(xs.begin(), xs.end(), [top](uint32_t x) { return x > top; }) -
                                        xs.begin()) / k;
        ys.assign(valid * m, 0);
        m_block_inputs.reset(xs.data(), valid, k);
        for (Tile* t : m_active_tiles) t->compute(m_block_inputs, ys.data(), m, run_counters, epoch + v0);
        for (size_t v = v0; v < v0 + valid; ++v) {
            // Input read, PE work and output write form a pipeline across vectors:
            // the first vector pays all three stages, later ones the slowest.
            const sc_time pe_start = m_qk.get_local_time() + (v == 0 ? stage_in : sc_core::SC_ZERO_TIME);
            if (m_params.busy_lines)
                for (Tile* t : m_active_tiles) t->mark_busy(pe_start);
            std::memcpy(&m_outputs[v * m * kOutputBytes], &ys[(v - v0) * m], m * kOutputBytes);
            m_qk.inc(v == 0 ? stage_in + stage_pe + stage_out : std::max({stage_in, stage_pe, stage_out}));
            if (m_qk.need_sync() && !sync(job)) return ERR_NONE;  // aborted: nothing is committed
        }
        if (valid < chunk) return ERR_INPUT_RANGE;
    }
    core::HwConfig run_cfg = m_params.hw;
    run_cfg.adc_bits = adc_bits;
    m_run.energy = core::energy_of(run_counters, run_cfg, m_tech);
    m_run.counters = std::move(run_counters);
    m_run.busy = m_qk.get_current_time() - run_start;
    m_run.next_epoch = epoch + batch;
    return ERR_NONE;
}

void Chip::finish(uint32_t error) {
    m_commands = 0;
    if (error == ERR_NONE) {
        m_done = true;
        m_irq_events |= IRQ_DONE;
    } else {
        m_failed = true;
        m_error = error;  // a success keeps an ERR_BUSY raised during the run
        m_irq_events |= IRQ_ERROR;
    }
    update();
}

void Chip::count_active_adcs() {
    uint32_t busy_pes = 0;
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) busy_pes += pe.busy.read();
    adcs_active.write(busy_pes * m_adcs_per_pe);
}

// ---- waveforms -------------------------------------------------------------------

void Chip::trace(sc_core::sc_trace_file* tf) {
    sc_core::sc_trace(tf, busy, busy.name());
    sc_core::sc_trace(tf, current_layer, current_layer.name());
    sc_core::sc_trace(tf, adcs_active, adcs_active.name());
    sc_core::sc_trace(tf, irq, irq.name());
    for (const Tile& t : tiles)
        for (const Pe& pe : t.pes) sc_core::sc_trace(tf, pe.busy, pe.busy.name());
    bus.trace(tf);
}

}  // namespace bitcim

#include "tlm/chip.h"

#include <algorithm>
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

size_t ceil_div(size_t a, size_t b) { return (a + b - 1) / b; }

Access access_of(const std::string& a) {
    if (a == "ro") return Access::ReadOnly;
    if (a == "wo") return Access::WriteOnly;
    if (a == "rw1c") return Access::ReadWriteOneToClear;
    return Access::ReadWrite;
}

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
      m_params(params),
      m_tech(tech) {
    core::validate(m_params.hw, "chip configuration");
    socket.register_b_transport(this, &Chip::b_transport);

    const core::HwConfig& hw = m_params.hw;
    const core::BitSlicedLayer layout(hw, core::IntMatrix(Pe::outputs_per_pe(hw), hw.xbar_rows));
    m_pe_layout = layout.mapping().column_groups;
    for (const auto& g : m_pe_layout) m_adcs_per_pe += g.adcs_per_xbar;
    m_weights.assign(size_t{pe_count()} * hw.xbar_rows * Pe::outputs_per_pe(hw) * kWeightBytes, 0);
    m_inputs.assign(m_params.input_buffer_bytes, 0);
    m_outputs.assign(m_params.output_buffer_bytes, 0);
    m_zero_counters = layout.make_counters(m_params.adc_code_histograms);
    // Histograms grow to the run-time resolution of the runs they count.
    for (auto& h : m_zero_counters.adc_codes) h.clear();
    m_counters = m_zero_counters;

    for (const RegisterSpec& spec : kRegisterTable)
        if (spec.stride == 0) add_register(spec.offset, spec.name, spec.reset, access_of(spec.access));
    for (unsigned k = 0; k < hw.num_adc_groups(); ++k) {
        add_register(ADC_BITS_BASE + 4 * k, "ADC_BITS", hw.adc_bits[k], Access::ReadWrite);
        for (unsigned half = 0; half < 2; ++half) {
            add_register(SATURATIONS_BASE + 8 * k + 4 * half, "SATURATIONS", 0, Access::ReadOnly);
            reg(SATURATIONS_BASE + 8 * k + 4 * half).on_read([this, k, half] {
                return static_cast<uint32_t>(m_counters.adc_saturations[k] >> (32 * half));
            });
            add_register(CONVERSIONS_BASE + 8 * k + 4 * half, "CONVERSIONS", 0, Access::ReadOnly);
            reg(CONVERSIONS_BASE + 8 * k + 4 * half).on_read([this, k, half] {
                return static_cast<uint32_t>(m_counters.adc_conversions[k] >> (32 * half));
            });
        }
    }
    reg(CYCLES_LO).on_read([this] { return static_cast<uint32_t>(static_cast<uint64_t>(m_busy_time.to_seconds() * 1e9)); });
    reg(CYCLES_HI).on_read([this] { return static_cast<uint32_t>(static_cast<uint64_t>(m_busy_time.to_seconds() * 1e9) >> 32); });
    reg(CTRL).on_write([this](uint32_t v) { on_ctrl(v); });
    reg(IRQ_ENABLE).on_write([this](uint32_t) { update_irq(); });
    reg(IRQ_STATUS).on_write([this](uint32_t) { update_irq(); });

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

void Chip::add_register(uint64_t offset, const char* name, uint32_t reset, Access access) {
    m_regs.emplace(offset, std::make_unique<Register>(name, offset, reset, access));
}

// ---- bus side -------------------------------------------------------------------

void Chip::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
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

void Chip::access_register(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    if (trans.get_data_length() != 4) {
        trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
        return;
    }
    const auto it = m_regs.find(addr);
    if (addr % 4 != 0 || it == m_regs.end()) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    Register& r = *it->second;
    uint32_t value = 0;
    if (trans.is_read()) {
        if (!r.readable()) {
            trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
            return;
        }
        value = r.read();
        std::memcpy(trans.get_data_ptr(), &value, 4);
    } else if (trans.is_write()) {
        if (!r.writable()) {
            trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
            return;
        }
        std::memcpy(&value, trans.get_data_ptr(), 4);
        m_access_delay = delay;
        r.write(value);
    }
    delay += sc_time(m_tech.register_access_ns, SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

void Chip::access_window(tlm::tlm_generic_payload& trans, sc_time& delay) {
    const uint64_t addr = trans.get_address();
    const uint64_t len = trans.get_data_length();
    std::vector<uint8_t>* buffer = nullptr;
    uint64_t base = 0;
    if (addr >= WEIGHTS_BASE && addr < WEIGHTS_BASE + kWindowSpan) {
        buffer = &m_weights, base = WEIGHTS_BASE;
    } else if (addr >= INPUTS_BASE && addr < INPUTS_BASE + kWindowSpan) {
        buffer = &m_inputs, base = INPUTS_BASE;
    } else if (addr >= OUTPUTS_BASE && addr < OUTPUTS_BASE + kWindowSpan) {
        buffer = &m_outputs, base = OUTPUTS_BASE;
    }
    const uint64_t offset = addr - base;
    if (!buffer || offset > buffer->size() || len > buffer->size() - offset) {
        trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return;
    }
    if (trans.is_write() && buffer == &m_outputs) {
        trans.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
        return;
    }
    if (trans.is_read()) std::memcpy(trans.get_data_ptr(), buffer->data() + offset, len);
    if (trans.is_write()) std::memcpy(buffer->data() + offset, trans.get_data_ptr(), len);
    delay += static_cast<double>(ceil_div(len, kWordBytes)) * sc_time(m_tech.buffer_access_ns, SC_NS);
    trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

// ---- control ---------------------------------------------------------------------

void Chip::on_ctrl(uint32_t value) {
    const bool running = (reg(STATUS).value() & STATUS_BUSY) || m_pending;
    if ((value & CTRL_CLEAR_COUNTERS) && !running) {
        m_counters = m_zero_counters;
        m_energy = core::EnergyReport{};
        m_busy_time = sc_core::SC_ZERO_TIME;
    }
    const uint32_t commands = value & (CTRL_PROGRAM | CTRL_START);
    if (!commands) return;
    if (running) {
        // The run in flight goes on; the refused command is reported beside it.
        reg(ERROR_CODE).set(ERR_BUSY);
        reg(STATUS).set(reg(STATUS).value() | STATUS_ERROR);
        reg(IRQ_STATUS).set(reg(IRQ_STATUS).value() | IRQ_ERROR);
        update_irq();
        return;
    }
    m_pending = commands;
    reg(STATUS).set((reg(STATUS).value() | STATUS_BUSY) & ~(STATUS_DONE | STATUS_ERROR));
    reg(ERROR_CODE).set(ERR_NONE);
    m_command.notify(m_access_delay);
}

void Chip::controller() {
    while (true) {
        wait(m_command);
        m_qk.reset();
        busy.write(true);
        current_layer.write(reg(LAYER_ID).value());
        uint32_t error = ERR_NONE;
        if (m_pending & CTRL_PROGRAM) error = program_layer();
        if (error == ERR_NONE && (m_pending & CTRL_START)) error = run_layer();
        finish(error);
    }
}

std::vector<unsigned> Chip::adc_bits_from_registers(bool* ok) const {
    std::vector<unsigned> bits;
    *ok = true;
    for (unsigned k = 0; k < m_params.hw.num_adc_groups(); ++k) {
        const uint32_t b = m_regs.at(ADC_BITS_BASE + 4 * k)->value();
        if (b == 0 || b > m_params.hw.adc_bits[k]) *ok = false;
        bits.push_back(b);
    }
    return bits;
}

uint32_t Chip::program_layer() {
    const core::HwConfig& hw = m_params.hw;
    const size_t k = reg(LAYER_INPUTS).value();
    const size_t m = reg(LAYER_OUTPUTS).value();
    reg(STATUS).set(reg(STATUS).value() & ~STATUS_PROGRAMMED);
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) pe.clear();
    if (k == 0 || m == 0) return ERR_BAD_SHAPE;
    const size_t per_pe = Pe::outputs_per_pe(hw);
    const size_t row_blocks = ceil_div(k, hw.xbar_rows);
    const size_t col_blocks = ceil_div(m, per_pe);
    if (row_blocks * col_blocks > pe_count() || k * m * kWeightBytes > m_weights.size())
        return ERR_LAYER_TOO_LARGE;
    bool ok = false;
    const std::vector<unsigned> adc_bits = adc_bits_from_registers(&ok);
    if (!ok) return ERR_BAD_ADC_BITS;

    size_t block = 0;
    for (size_t cb = 0; cb < col_blocks; ++cb) {
        for (size_t rb = 0; rb < row_blocks; ++rb, ++block) {
            const size_t r0 = rb * hw.xbar_rows, c0 = cb * per_pe;
            const size_t rows = std::min<size_t>(hw.xbar_rows, k - r0);
            const size_t outs = std::min(per_pe, m - c0);
            core::IntMatrix w(outs, rows);
            for (size_t o = 0; o < outs; ++o)
                for (size_t i = 0; i < rows; ++i)
                    w.at(o, i) = load_le<int16_t>(&m_weights[((c0 + o) * k + r0 + i) * kWeightBytes]);
            Pe& pe = tiles[block / m_params.pes_per_tile].pes[block % m_params.pes_per_tile];
            try {
                pe.program(w, r0, c0, adc_bits, reg(LAYER_ID).value());
            } catch (const InputError&) {
                return ERR_WEIGHT_RANGE;
            }
        }
    }
    m_layer_inputs = k;
    m_layer_outputs = m;
    m_programmed_adc_bits = adc_bits;
    m_qk.inc(static_cast<double>(ceil_div(k * m * kWeightBytes, kWordBytes)) * sc_time(m_tech.buffer_access_ns, SC_NS));
    reg(STATUS).set(reg(STATUS).value() | STATUS_PROGRAMMED);
    return ERR_NONE;
}

uint32_t Chip::run_layer() {
    if (!(reg(STATUS).value() & STATUS_PROGRAMMED)) return ERR_NOT_PROGRAMMED;
    const size_t k = m_layer_inputs, m = m_layer_outputs;
    const size_t batch = reg(BATCH).value();
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
    std::vector<uint32_t> x(k);
    std::vector<int64_t> y(m);
    const uint64_t epoch = (uint64_t{reg(NOISE_EPOCH_HI).value()} << 32) | reg(NOISE_EPOCH_LO).value();
    for (size_t v = 0; v < batch; ++v) {
        for (size_t i = 0; i < k; ++i) {
            x[i] = load_le<uint16_t>(&m_inputs[(v * k + i) * kInputBytes]);
            if (x[i] > m_params.hw.input_max()) return ERR_INPUT_RANGE;
        }
        std::fill(y.begin(), y.end(), 0);
        // Input read, PE work and output write form a pipeline across vectors:
        // the first vector pays all three stages, later ones the slowest.
        const sc_time pe_start = m_qk.get_local_time() + (v == 0 ? stage_in : sc_core::SC_ZERO_TIME);
        sc_time stage_pe = sc_core::SC_ZERO_TIME;
        for (Tile& t : tiles) stage_pe = std::max(stage_pe, t.compute(x, y, run_counters, epoch + v, pe_start));
        std::memcpy(&m_outputs[v * m * kOutputBytes], y.data(), m * kOutputBytes);
        m_qk.inc(v == 0 ? stage_in + stage_pe + stage_out : std::max({stage_in, stage_pe, stage_out}));
        if (m_qk.need_sync()) m_qk.sync();
    }
    run_counters.mvms = batch;  // each PE counted its partial MVMs; the chip ran `batch` vectors
    m_busy_time += m_qk.get_current_time() - run_start;
    reg(NOISE_EPOCH_LO).set(static_cast<uint32_t>(epoch + batch));
    reg(NOISE_EPOCH_HI).set(static_cast<uint32_t>((epoch + batch) >> 32));
    core::HwConfig run_cfg = m_params.hw;
    run_cfg.adc_bits = adc_bits;
    m_counters.add(run_counters);
    m_energy += core::energy_of(run_counters, run_cfg, m_tech);
    return ERR_NONE;
}

void Chip::finish(uint32_t error) {
    m_qk.sync();
    m_pending = 0;
    uint32_t status = reg(STATUS).value() & ~STATUS_BUSY;
    status |= error == ERR_NONE ? STATUS_DONE : STATUS_ERROR;
    reg(STATUS).set(status);
    if (error != ERR_NONE) reg(ERROR_CODE).set(error);  // keeps an ERR_BUSY raised during the run
    reg(IRQ_STATUS).set(reg(IRQ_STATUS).value() | (error == ERR_NONE ? IRQ_DONE : IRQ_ERROR));
    busy.write(false);
    update_irq();
}

// Register hooks run in the host's thread and the controller in its own; the
// line itself is written by one method, at the time of the change.
void Chip::update_irq() {
    m_irq_level = (reg(IRQ_STATUS).value() & reg(IRQ_ENABLE).value()) != 0;
    m_irq_changed.notify(sc_core::SC_ZERO_TIME);
}

void Chip::drive_irq() { irq.write(m_irq_level); }

void Chip::count_active_adcs() {
    uint32_t busy_pes = 0;
    for (Tile& t : tiles)
        for (Pe& pe : t.pes) busy_pes += pe.busy.read();
    adcs_active.write(busy_pes * m_adcs_per_pe);
}

// ---- reports ---------------------------------------------------------------------

AreaReport chip_area(const ChipParams& params, const core::Technology& tech) {
    const core::HwConfig& hw = params.hw;
    const core::BitSlicedLayer layout(hw, core::IntMatrix(Pe::outputs_per_pe(hw), hw.xbar_rows));
    const std::vector<core::ColumnGroup>& groups = layout.mapping().column_groups;
    AreaReport a;
    const double pes = static_cast<double>(params.tiles) * params.pes_per_tile;
    a.crossbars = pes * static_cast<double>(groups.size()) * hw.xbar_rows * hw.xbar_cols * tech.crossbar_cell_area_mm2;
    for (const auto& g : groups) a.adc += pes * g.adcs_per_xbar * tech.adc_area(hw.adc_bits[g.adc_group]);
    a.shift_add = pes * tech.shift_add_area_mm2;
    a.buffers = static_cast<double>(params.input_buffer_bytes + params.output_buffer_bytes) * tech.buffer_area_mm2_per_byte;
    return a;
}

AreaReport Chip::area() const { return chip_area(m_params, m_tech); }

nlohmann::json to_json(const AreaReport& a) {
    return {{"crossbars", a.crossbars}, {"adc", a.adc}, {"shift_add", a.shift_add}, {"buffers", a.buffers},
            {"total", a.total()}};
}

void Chip::trace(sc_core::sc_trace_file* tf) const {
    sc_core::sc_trace(tf, busy, busy.name());
    sc_core::sc_trace(tf, current_layer, current_layer.name());
    sc_core::sc_trace(tf, adcs_active, adcs_active.name());
    sc_core::sc_trace(tf, irq, irq.name());
    for (const Tile& t : tiles)
        for (const Pe& pe : t.pes) sc_core::sc_trace(tf, pe.busy, pe.busy.name());
}

}  // namespace bitcim

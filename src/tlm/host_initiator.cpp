#include "tlm/host_initiator.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "tlm/regmap.h"

namespace bitcim {

using namespace regmap;

HostInitiator::HostInitiator(const sc_core::sc_module_name& name, Program program)
    : sc_module(name), socket("socket"), irq("irq"), m_program(std::move(program)) {
    SC_HAS_PROCESS(HostInitiator);
    SC_THREAD(run);
}

void HostInitiator::run() {
    m_qk.reset();
    m_program(*this);
    m_qk.sync();
}

tlm::tlm_response_status HostInitiator::access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len) {
    tlm::tlm_generic_payload trans;
    trans.set_command(cmd);
    trans.set_address(addr);
    trans.set_data_ptr(static_cast<unsigned char*>(data));
    trans.set_data_length(len);
    trans.set_streaming_width(len);
    trans.set_byte_enable_ptr(nullptr);
    trans.set_dmi_allowed(false);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = m_qk.get_local_time();
    socket->b_transport(trans, delay);
    m_qk.set(delay);
    if (m_qk.need_sync()) m_qk.sync();
    return trans.get_response_status();
}

namespace {
void check(tlm::tlm_response_status s, const char* what, uint64_t addr) {
    if (s != tlm::TLM_OK_RESPONSE)
        throw std::runtime_error(std::string("host: ") + what + " at address " + std::to_string(addr) +
                                 " answered with TLM response " + std::to_string(static_cast<int>(s)));
}
}  // namespace

uint32_t HostInitiator::read32(uint64_t addr) {
    uint32_t v = 0;
    check(access(tlm::TLM_READ_COMMAND, addr, &v, sizeof v), "read", addr);
    return v;
}

void HostInitiator::write32(uint64_t addr, uint32_t value) {
    check(access(tlm::TLM_WRITE_COMMAND, addr, &value, sizeof value), "write", addr);
}

// Large blocks go in bursts of the buffer's page size, as a DMA engine would.
constexpr size_t kBurstBytes = 4096;

void HostInitiator::write_block(uint64_t addr, const void* data, size_t len) {
    auto* p = static_cast<uint8_t*>(const_cast<void*>(data));
    for (size_t off = 0; off < len; off += kBurstBytes)
        check(access(tlm::TLM_WRITE_COMMAND, addr + off, p + off, static_cast<unsigned>(std::min(kBurstBytes, len - off))),
              "block write", addr + off);
}

void HostInitiator::read_block(uint64_t addr, void* data, size_t len) {
    auto* p = static_cast<uint8_t*>(data);
    for (size_t off = 0; off < len; off += kBurstBytes)
        check(access(tlm::TLM_READ_COMMAND, addr + off, p + off, static_cast<unsigned>(std::min(kBurstBytes, len - off))),
              "block read", addr + off);
}

uint32_t HostInitiator::wait_for_completion() {
    m_qk.sync();  // the chip's state is only meaningful at a common time
    while (!irq.read()) wait(irq.posedge_event());
    const uint32_t events = read32(IRQ_STATUS);
    write32(IRQ_STATUS, events);
    return read32(ERROR_CODE);
}

void HostInitiator::set_adc_bits(const std::vector<unsigned>& bits) {
    for (unsigned k = 0; k < bits.size(); ++k) write32(at(ADC_BITS, k), bits[k]);
}

void HostInitiator::soft_reset() { write32(CTRL, CTRL_RESET); }

void HostInitiator::idle(const sc_core::sc_time& duration) {
    m_qk.sync();
    wait(duration);
}

uint32_t HostInitiator::program_layer(const core::IntMatrix& w, uint32_t layer_id) {
    std::vector<int16_t> words(w.data.begin(), w.data.end());
    write_block(WEIGHTS_BASE, words.data(), words.size() * sizeof(int16_t));
    write32(LAYER_INPUTS, static_cast<uint32_t>(w.cols));
    write32(LAYER_OUTPUTS, static_cast<uint32_t>(w.rows));
    write32(LAYER_ID, layer_id);
    write32(IRQ_ENABLE, IRQ_DONE | IRQ_ERROR);
    write32(CTRL, CTRL_PROGRAM);
    return wait_for_completion();
}

uint32_t HostInitiator::run_batch(const std::vector<std::vector<uint32_t>>& inputs, size_t outputs,
                                  std::vector<std::vector<int64_t>>& results) {
    std::vector<uint16_t> words;
    for (const auto& x : inputs) words.insert(words.end(), x.begin(), x.end());
    std::vector<int64_t> flat;
    const uint32_t error = run_batch(words, inputs.size(), outputs, flat);
    if (error != ERR_NONE) return error;
    results.clear();
    for (size_t v = 0; v < inputs.size(); ++v)
        results.emplace_back(flat.begin() + static_cast<long>(v * outputs), flat.begin() + static_cast<long>((v + 1) * outputs));
    return error;
}

uint32_t HostInitiator::run_batch(const std::vector<uint16_t>& words, size_t vectors, size_t outputs,
                                  std::vector<int64_t>& flat) {
    write_block(INPUTS_BASE, words.data(), words.size() * sizeof(uint16_t));
    write32(BATCH, static_cast<uint32_t>(vectors));
    write32(IRQ_ENABLE, IRQ_DONE | IRQ_ERROR);
    write32(CTRL, CTRL_START);
    const uint32_t error = wait_for_completion();
    if (error != ERR_NONE) return error;
    flat.resize(vectors * outputs);
    read_block(OUTPUTS_BASE, flat.data(), flat.size() * sizeof(int64_t));
    return error;
}

}  // namespace bitcim

// Bus-level checks of the chip's TLM target: error responses for bad accesses,
// error statuses (never an abort) for layers that do not fit, interrupts, and
// recovery after errors. One scripted host; every check counts.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <systemc>

#include "sim/simulation.h"
#include "core/crossbar_layer.h"
#include "tlm/regmap.h"
#include "sim/reporting.h"
#include "tlm/tlm_system.h"

namespace {

using namespace bitcim;
using namespace bitcim::regmap;

int g_checks = 0;
int g_failures = 0;

void expect(bool ok, const std::string& what) {
    ++g_checks;
    if (!ok) {
        ++g_failures;
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    }
}

tlm::tlm_response_status poke(HostInitiator& h, tlm::tlm_command cmd, uint64_t addr, unsigned len) {
    std::vector<uint8_t> data(len, 0);
    return h.access(cmd, addr, data.data(), len);
}

uint32_t command(HostInitiator& h, uint32_t ctrl) {
    h.write32(IRQ_ENABLE, IRQ_DONE | IRQ_ERROR);
    h.write32(CTRL, ctrl);
    return h.wait_for_completion();
}

void script(HostInitiator& h, const Chip& chip, const core::HwConfig& hw) {
    using tlm::TLM_READ_COMMAND;
    using tlm::TLM_WRITE_COMMAND;
    expect(h.read32(ID) == kIdValue, "ID reads the identification value");
    expect(poke(h, TLM_READ_COMMAND, 0x018, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE, "unmapped register: address error");
    expect(poke(h, TLM_READ_COMMAND, STATUS + 2, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE, "misaligned register: address error");
    expect(poke(h, TLM_READ_COMMAND, STATUS, 2) == tlm::TLM_BURST_ERROR_RESPONSE, "16-bit register access: burst error");
    expect(poke(h, TLM_WRITE_COMMAND, ID, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE, "write to read-only ID: command error");
    expect(poke(h, TLM_READ_COMMAND, CTRL, 4) == tlm::TLM_COMMAND_ERROR_RESPONSE, "read of write-only CTRL: command error");
    expect(poke(h, TLM_WRITE_COMMAND, OUTPUTS_BASE, 8) == tlm::TLM_COMMAND_ERROR_RESPONSE, "write to the output window: command error");
    expect(poke(h, TLM_READ_COMMAND, INPUTS_BASE + chip.params().input_buffer_bytes - 4, 8) == tlm::TLM_ADDRESS_ERROR_RESPONSE,
           "read past the input buffer: address error");
    expect(poke(h, TLM_READ_COMMAND, 0x5000'0000, 4) == tlm::TLM_ADDRESS_ERROR_RESPONSE, "address outside every window");

    // Layers that do not fit are refused with a status, and the chip stays usable.
    h.write32(LAYER_INPUTS, 1u << 20);
    h.write32(LAYER_OUTPUTS, 64);
    expect(command(h, CTRL_PROGRAM) == ERR_LAYER_TOO_LARGE, "too many inputs: LAYER_TOO_LARGE");
    expect(h.read32(STATUS) & STATUS_ERROR, "STATUS.ERROR set after a refused layer");
    h.write32(LAYER_INPUTS, 0);
    expect(command(h, CTRL_PROGRAM) == ERR_BAD_SHAPE, "zero inputs: BAD_SHAPE");
    expect(command(h, CTRL_START) == ERR_NOT_PROGRAMMED, "START before PROGRAM: NOT_PROGRAMMED");

    core::IntMatrix w(20, 40);
    std::mt19937 rng(3);
    for (auto& v : w.data) v = static_cast<int64_t>(rng() % 511) - 255;
    w.at(3, 7) = 300;
    expect(h.program_layer(w) == ERR_WEIGHT_RANGE, "weight 300: WEIGHT_RANGE");
    w.at(3, 7) = 255;
    h.write32(ADC_BITS, 0);
    expect(h.program_layer(w) == ERR_BAD_ADC_BITS, "ADC resolution 0: BAD_ADC_BITS");
    h.write32(ADC_BITS, hw.adc_bits[0] + 1);
    expect(h.program_layer(w) == ERR_BAD_ADC_BITS, "ADC resolution above the built one: BAD_ADC_BITS");
    h.set_adc_bits(hw.adc_bits);
    expect(h.program_layer(w) == ERR_NONE, "a valid layer programs after errors");
    expect(h.read32(STATUS) & STATUS_PROGRAMMED, "STATUS.PROGRAMMED");

    std::vector<std::vector<uint32_t>> xs(2, std::vector<uint32_t>(40, 7));
    std::vector<std::vector<int64_t>> ys;
    xs[1][5] = 256;
    expect(h.run_batch(xs, 20, ys) == ERR_INPUT_RANGE, "input 256 with 8-bit inputs: INPUT_RANGE");
    xs[1][5] = 255;
    h.write32(BATCH, 1u << 20);
    expect(command(h, CTRL_START) == ERR_BATCH_TOO_LARGE, "batch beyond the buffers: BATCH_TOO_LARGE");

    // A command while busy is refused beside the running job, which completes.
    const std::vector<uint16_t> words(80, 7);
    h.write_block(INPUTS_BASE, words.data(), words.size() * 2);
    h.write32(BATCH, 2);
    h.write32(IRQ_ENABLE, IRQ_DONE | IRQ_ERROR);
    h.write32(CTRL, CTRL_START);
    h.write32(CTRL, CTRL_START);
    expect(h.read32(ERROR_CODE) == ERR_BUSY, "START while busy: BUSY");
    h.wait_for_completion();
    while (!(h.read32(STATUS) & STATUS_DONE)) sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
    expect(!(h.read32(STATUS) & STATUS_BUSY), "the running job completed");
    h.write32(IRQ_STATUS, ~0u);  // acknowledge the job's DONE too

    // Interrupt line follows IRQ_STATUS & IRQ_ENABLE; write-one-to-clear drops it.
    expect(command(h, CTRL_START) == ERR_NONE, "a plain run");
    expect(h.read32(IRQ_STATUS) == 0, "IRQ_STATUS clear after acknowledging");
    h.write32(IRQ_ENABLE, IRQ_DONE);
    h.write32(CTRL, CTRL_START);
    sc_core::wait(sc_core::sc_time(100, sc_core::SC_US));
    expect(h.irq.read(), "irq high after DONE while enabled");
    h.write32(IRQ_STATUS, IRQ_DONE);
    sc_core::wait(sc_core::sc_time(10, sc_core::SC_NS));
    expect(!h.irq.read(), "irq low after write-one-to-clear");

    // Results after all that are still the golden model's.
    const core::BitSlicedLayer layer(hw, w);
    auto k = layer.make_counters();
    expect(h.run_batch(xs, 20, ys) == ERR_NONE, "run after errors");
    expect(ys.size() == 2 && ys[0] == layer.run(xs[0], k) && ys[1] == layer.run(xs[1], k), "outputs equal golden");
    const uint64_t conv = h.read32(CONVERSIONS_LO) | (uint64_t{h.read32(CONVERSIONS_HI)} << 32);
    expect(conv == chip.counters().adc_conversions[0], "CONVERSIONS register equals the model's counter");
}

}  // namespace

int sc_main(int, char*[]) {
    configure_systemc_reporting();
    set_global_quantum();
    core::HwConfig hw;
    hw.xbar_rows = 32;
    hw.xbar_cols = 32;
    hw.columns_per_adc = 8;
    hw.parallel_rows = 16;
    hw.adc_bits = {3, 5, 5, 5};
    TlmSystem* sys = nullptr;
    TlmSystem system("system", chip_params_for(hw, 40, 20, 2), core::default_technology(),
                     [&sys, hw](HostInitiator& h) { script(h, sys->chip, hw); });
    sys = &system;
    bitcim::simulate();
    std::printf("tlm_bus_checks: %d checks, %d failed\n", g_checks, g_failures);
    return g_failures == 0 && g_checks >= 29 ? 0 : 1;
}

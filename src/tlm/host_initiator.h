// Host-side TLM initiator: programs a layer into the chip through its memory
// map, starts it, waits for the interrupt and reads the results. Keeps its own
// time with a quantum keeper (loosely timed, temporally decoupled).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include "core/int_matrix.h"

namespace bitcim {

class HostInitiator : public sc_core::sc_module {
public:
    using Program = std::function<void(HostInitiator&)>;

    tlm_utils::simple_initiator_socket<HostInitiator> socket;
    sc_core::sc_in<bool> irq;

    /// Runs `program` in the host's thread at time zero.
    HostInitiator(const sc_core::sc_module_name& name, Program program);
    HostInitiator(const HostInitiator&) = delete;
    HostInitiator& operator=(const HostInitiator&) = delete;

    /// One bus access; returns the target's response (no exception on error).
    tlm::tlm_response_status access(tlm::tlm_command cmd, uint64_t addr, void* data, unsigned len);
    /// Register and block accesses that throw std::runtime_error on an error response.
    uint32_t read32(uint64_t addr);
    void write32(uint64_t addr, uint32_t value);
    void write_block(uint64_t addr, const void* data, size_t len);
    void read_block(uint64_t addr, void* data, size_t len);

    /// Waits for the interrupt (DONE or ERROR), acknowledges it and returns ERROR_CODE.
    uint32_t wait_for_completion();
    /// Writes the weights and programs them; returns ERROR_CODE.
    uint32_t program_layer(const core::IntMatrix& weights, uint32_t layer_id = 0);
    /// Runs a batch through the programmed layer; returns ERROR_CODE.
    uint32_t run_batch(const std::vector<std::vector<uint32_t>>& inputs, size_t outputs,
                       std::vector<std::vector<int64_t>>& results);
    /// The same on `vectors` inputs already in the input window's words (row-major),
    /// the outputs row-major into `flat`.
    uint32_t run_batch(const std::vector<uint16_t>& words, size_t vectors, size_t outputs, std::vector<int64_t>& flat);
    /// Sets the run-time ADC resolution of each ADC group (MSB first).
    void set_adc_bits(const std::vector<unsigned>& bits);
    /// CTRL.RESET: aborts a running job; every register returns to its reset value.
    void soft_reset();
    /// Catches up with the kernel, then lets `duration` pass (the chip works meanwhile).
    void idle(const sc_core::sc_time& duration);

    /// Host time: the kernel's time plus the quantum keeper's local offset.
    sc_core::sc_time now() const { return m_qk.get_current_time(); }

private:
    void run();

    Program m_program;
    tlm_utils::tlm_quantumkeeper m_qk;
};

}  // namespace bitcim

// The accelerator chip: tiles of PEs behind a TLM-2.0 target socket with a
// register map (regmap.h) and memory windows for weights, inputs and outputs.
// Loosely timed: accesses annotate their latency; the controller keeps its
// time with a quantum keeper and raises `irq` when a run completes.
// A careful peripheral: while a job runs, every access that would change what
// the job reads (its configuration registers, the weight and input windows) or
// read what it has not finished writing (the output window) is refused with
// TLM_COMMAND_ERROR_RESPONSE, commands are refused with ERROR_CODE BUSY, and
// CTRL.RESET aborts the job and returns every register to its reset value
// (regmap.h: the WhileBusy column; docs/DECISIONS.md D-051).
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>
#include <tlm_utils/tlm_quantumkeeper.h>

#include <nlohmann/json_fwd.hpp>

#include "core/crossbar_layer.h"
#include "core/energy.h"
#include "core/hw_config.h"
#include "core/mapping.h"
#include "tlm/bus_probe.h"
#include "tlm/regmap.h"
#include "tlm/register.h"
#include "core/technology.h"
#include "tlm/tile.h"

namespace bitcim {

struct ChipParams {
    core::HwConfig hw;          ///< as built: adc_bits are the ADCs' built resolutions
    unsigned tiles = 16;
    unsigned pes_per_tile = 8;
    uint64_t input_buffer_bytes = 1u << 20;
    uint64_t output_buffer_bytes = 4u << 20;
    /// Count every conversion by ADC code (forms every code, so runs slower).
    bool adc_code_histograms = false;
    /// Drive every PE's busy line (and so adcs_active): the waveforms' view of PE work.
    /// Off, the lines stay low and the run is otherwise the same (timing, counters,
    /// energy, outputs); a run nothing traces or observes skips their events.
    bool busy_lines = true;
};

class Chip : public sc_core::sc_module {
public:
    tlm_utils::simple_target_socket<Chip> socket;
    sc_core::sc_out<bool> irq;

    // Waveform signals: what an architect looks at first.
    sc_core::sc_signal<bool> busy{"busy"};
    sc_core::sc_signal<uint32_t> current_layer{"current_layer"};
    sc_core::sc_signal<uint32_t> adcs_active{"adcs_active"};

    sc_core::sc_vector<Tile> tiles;
    /// Every bus access at `socket`, to a log and waveform signals (off until enabled).
    BusProbe bus{"bus"};

    Chip(const sc_core::sc_module_name& name, const ChipParams& params, const core::Technology& tech);
    Chip(const Chip&) = delete;
    Chip& operator=(const Chip&) = delete;

    const ChipParams& params() const { return m_params; }
    /// Event counts of the runs completed since the last CTRL_CLEAR_COUNTERS or reset.
    const core::MvmCounters& counters() const { return m_counters; }
    /// Energy since the last clear, each run's ADC conversions at that run's resolutions.
    core::EnergyReport energy() const { return m_energy; }
    /// Busy time of every run since the last clear.
    sc_core::sc_time busy_time() const { return m_busy_time; }
    unsigned pe_count() const { return m_params.tiles * m_params.pes_per_tile; }
    /// The chip's registers, one per row of regmap::kRegisterTable, as the bus decodes them.
    const RegisterBank& registers() const { return m_bank; }

    /// The chip's signals, every PE's busy line and the bus probe's signals.
    void trace(sc_core::sc_trace_file* tf);
    /// The register (with its element) or memory window at `addr`, as the bus log names it.
    std::string target_name(uint64_t addr) const;

private:
    void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void decode(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
    unsigned transport_dbg(tlm::tlm_generic_payload& trans);
    void access_register(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
    void access_window(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

    // Register handlers (bound in the constructor).
    void write_ctrl(uint32_t value);
    void write_irq_enable(uint32_t value);
    void write_irq_status(uint32_t value);
    uint32_t read_saturations_lo(unsigned group) const;
    uint32_t read_saturations_hi(unsigned group) const;
    uint32_t read_conversions_lo(unsigned group) const;
    uint32_t read_conversions_hi(unsigned group) const;
    uint32_t read_busy_ns_lo() const;
    uint32_t read_busy_ns_hi() const;
    /// STATUS, ERROR_CODE, IRQ_STATUS and the irq level from the state below;
    /// called after every change of that state.
    void update();

    bool busy_now() const { return m_commands != 0; }
    /// CTRL.RESET: aborts the job in flight, every register and all state to reset.
    void soft_reset();

    void controller();
    /// Waits until the controller's local time (a quantum keeper sync that a soft
    /// reset cuts short); false when job `job` was aborted meanwhile.
    bool sync(uint64_t job);
    /// Both return an Error code (ERR_NONE on success). run_layer leaves the run's
    /// counts in m_run, committed by finish once the run's time has passed.
    uint32_t program_layer();
    uint32_t run_layer(uint64_t job);
    void finish(uint32_t error);
    void drive_irq();
    std::vector<unsigned> adc_bits_from_registers(bool* ok) const;
    void count_active_adcs();

    ChipParams m_params;
    const core::Technology& m_tech;

    // ---- registers: one per row of regmap::kRegisterTable ------------------------
    RegisterBank m_bank;  ///< the address decoder over the registers below
    Register<Chip> m_id{this, m_bank, regmap::ID};
    Register<Chip> m_ctrl{this, m_bank, regmap::CTRL};
    Register<Chip> m_status{this, m_bank, regmap::STATUS};
    Register<Chip> m_irq_enable{this, m_bank, regmap::IRQ_ENABLE};
    Register<Chip> m_irq_status{this, m_bank, regmap::IRQ_STATUS};
    Register<Chip> m_error_code{this, m_bank, regmap::ERROR_CODE};
    Register<Chip> m_layer_inputs{this, m_bank, regmap::LAYER_INPUTS};
    Register<Chip> m_layer_outputs{this, m_bank, regmap::LAYER_OUTPUTS};
    Register<Chip> m_batch{this, m_bank, regmap::BATCH};
    Register<Chip> m_layer_id{this, m_bank, regmap::LAYER_ID};
    Register<Chip> m_lfsr_width{this, m_bank, regmap::LFSR_WIDTH};
    Register<Chip> m_lfsr_taps{this, m_bank, regmap::LFSR_TAPS};
    Register<Chip> m_lfsr_seed{this, m_bank, regmap::LFSR_SEED};
    Register<Chip> m_adc_bits{this, m_bank, regmap::ADC_BITS, m_params.hw.adc_bits};  ///< reset: as built
    Register<Chip> m_saturations_lo{this, m_bank, regmap::SATURATIONS_LO, m_params.hw.num_adc_groups()};
    Register<Chip> m_saturations_hi{this, m_bank, regmap::SATURATIONS_HI, m_params.hw.num_adc_groups()};
    Register<Chip> m_busy_ns_lo{this, m_bank, regmap::BUSY_NS_LO};
    Register<Chip> m_busy_ns_hi{this, m_bank, regmap::BUSY_NS_HI};
    Register<Chip> m_noise_epoch_lo{this, m_bank, regmap::NOISE_EPOCH_LO};
    Register<Chip> m_noise_epoch_hi{this, m_bank, regmap::NOISE_EPOCH_HI};
    Register<Chip> m_conversions_lo{this, m_bank, regmap::CONVERSIONS_LO, m_params.hw.num_adc_groups()};
    Register<Chip> m_conversions_hi{this, m_bank, regmap::CONVERSIONS_HI, m_params.hw.num_adc_groups()};

    // ---- state behind STATUS, ERROR_CODE, IRQ_STATUS and irq (see update()) -------
    uint32_t m_commands = 0;             ///< CTRL commands accepted and not finished: BUSY while non-zero
    bool m_programmed = false;           ///< PROGRAMMED: the last PROGRAM succeeded
    bool m_done = false;                 ///< DONE: the last command completed
    bool m_failed = false;               ///< ERROR: a command failed or was refused
    uint32_t m_error = regmap::ERR_NONE;  ///< ERROR_CODE
    uint32_t m_irq_events = 0;           ///< IRQ_STATUS: events not acknowledged yet
    bool m_irq_level = false;            ///< what drive_irq puts on the line
    sc_core::sc_event m_irq_changed;     ///< the irq line has one driver: drive_irq

    std::vector<uint8_t> m_weights;
    std::vector<uint8_t> m_inputs;
    std::vector<uint8_t> m_outputs;

    sc_core::sc_event m_command;         ///< a command was accepted (notified at its bus time)
    sc_core::sc_event m_reset_event;     ///< a soft reset: cuts the controller's waits short
    uint64_t m_job = 0;                  ///< bumped by every accepted command and every reset
    uint64_t m_served = 0;               ///< the last m_job the controller took up
    sc_core::sc_time m_job_start;        ///< when the accepted command starts (its bus time)
    /// What a START counted, committed when the run completes (a reset drops it).
    struct RunResult {
        core::MvmCounters counters;
        core::EnergyReport energy;
        sc_core::sc_time busy;
        uint64_t next_epoch = 0;
    } m_run;
    tlm_utils::tlm_quantumkeeper m_qk;
    core::MvmCounters m_counters;
    core::MvmCounters m_zero_counters;
    /// Vectors the model computes ahead of the chip's time in a run (Chip::run_layer).
    static constexpr size_t kComputeChunk = 64;
    BlockInputs m_block_inputs;  ///< a chunk's inputs packed once per row of PEs
    std::vector<Tile*> m_active_tiles;  ///< tiles with a programmed PE, for the run in progress
    core::EnergyReport m_energy;
    sc_core::sc_time m_busy_time;
    size_t m_programmed_inputs = 0;   ///< K of the programmed layer
    size_t m_programmed_outputs = 0;  ///< M of the programmed layer
    std::vector<unsigned> m_programmed_adc_bits;
    unsigned m_adcs_per_pe = 0;
    sc_core::sc_time m_access_delay;  ///< delay of the bus access whose handler is running
};

}  // namespace bitcim

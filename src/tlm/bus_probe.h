// Every access at the chip's target socket, as a text log (time, address, register
// or window, access, data, bytes, response) and as waveform signals. The host runs
// ahead of the kernel (loosely timed), so an access is stamped with its own time,
// the kernel's plus the initiator's annotated delay, and a thread replays the
// accesses onto the signals at those times (docs/DECISIONS.md D-114).
#pragma once

#include <cstdint>
#include <deque>
#include <fstream>
#include <string>

#include <systemc>
#include <tlm>

namespace bitcim {

class BusProbe : public sc_core::sc_module {
public:
    sc_core::sc_signal<uint32_t> address{"address"};    ///< the last access's address
    sc_core::sc_signal<uint32_t> data{"data"};          ///< its first 32-bit word
    sc_core::sc_signal<uint32_t> bytes{"bytes"};        ///< its length
    sc_core::sc_signal<bool> write{"write"};            ///< a write (else a read)
    sc_core::sc_signal<bool> error{"error"};            ///< refused (any response but OK)
    sc_core::sc_signal<uint32_t> accesses{"accesses"};  ///< accesses recorded so far

    explicit BusProbe(const sc_core::sc_module_name& name);

    /// Writes every recorded access to `path`; throws std::runtime_error if it cannot.
    void open_log(const std::string& path);
    /// Records from now on (true) or not (false); off until turned on.
    void set_enabled(bool on) { m_enabled = on; }
    bool enabled() const { return m_enabled && (m_log.is_open() || m_traced); }
    /// One access, done: `at` its start time, `target` the register or window it hit.
    void record(const tlm::tlm_generic_payload& trans, const sc_core::sc_time& at, const std::string& target);
    void trace(sc_core::sc_trace_file* tf);

private:
    struct Access {
        sc_core::sc_time at;
        uint32_t address, data, bytes;
        bool write, error;
    };
    void replay();

    std::ofstream m_log;
    bool m_enabled = false;
    bool m_traced = false;
    uint32_t m_count = 0;
    std::deque<Access> m_queue;
    sc_core::sc_event m_new;
};

}  // namespace bitcim

#include "tlm/tlm_waves.h"

#include "sim/fst_trace.h"
#include "sim/gtkw.h"

namespace bitcim {

TlmWaves::TlmWaves(const TraceOptions& opt, Chip& chip) : m_opt(opt), m_chip(chip) {
    const bool from_start = !m_opt.windowed() || m_opt.first_image == 0;
    if (!m_opt.bus_log.empty()) m_chip.bus.open_log(m_opt.bus_log);
    if (m_opt.fst()) {
        m_fst = std::make_unique<FstTraceFile>(m_opt.path);
        m_chip.trace(m_fst.get());
        m_fst->ready();
        m_fst->set_recording(from_start);
    } else if (m_opt.enabled()) {
        m_vcd = sc_core::sc_create_vcd_trace_file(vcd_prefix(m_opt.path).c_str());
        m_chip.trace(m_vcd);
    }
    m_chip.bus.set_enabled(from_start);
}

TlmWaves::~TlmWaves() { close(); }

void TlmWaves::set_recording(bool on) {
    m_chip.bus.set_enabled(on);
    if (m_fst) m_fst->set_recording(on);
}

void TlmWaves::close() {
    if (m_vcd) {
        sc_core::sc_close_vcd_trace_file(m_vcd);
        m_vcd = nullptr;
    }
    if (m_fst) {
        m_fst->close();
        write_gtkw(*m_fst, gtkw_path(m_opt.path));
        m_fst.reset();
    }
}

std::string TlmWaves::note() const {
    std::string note;
    if (m_opt.fst()) note = "waveform: " + m_opt.path + " (chip and bus), GTKWave view " + gtkw_path(m_opt.path);
    else if (m_opt.enabled()) note = "waveform: " + vcd_prefix(m_opt.path) + ".vcd (chip and bus)";
    if (!m_opt.bus_log.empty()) note += (note.empty() ? "" : "; ") + std::string("bus log: ") + m_opt.bus_log;
    return note;
}

}  // namespace bitcim

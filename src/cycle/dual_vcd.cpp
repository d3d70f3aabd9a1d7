#include "cycle/dual_vcd.h"
#include "sim/simulation.h"

#include <verilated.h>
#include <verilated_vcd_sc.h>

namespace bitcim {

DualVcd::DualVcd(std::string prefix) : m_prefix(std::move(prefix)) {
    Verilated::traceEverOn(enabled());
    if (enabled()) m_sc = sc_core::sc_create_vcd_trace_file((m_prefix + "_sc").c_str());
}

DualVcd::~DualVcd() { close(); }

void DualVcd::start(const std::function<void(VerilatedVcdSc*)>& attach) {
    bitcim::simulate(sc_core::SC_ZERO_TIME);
    if (!enabled()) return;
    m_rtl = std::make_unique<VerilatedVcdSc>();
    attach(m_rtl.get());
    m_rtl->open(rtl_path().c_str());
}

void DualVcd::close() {
    if (m_rtl) {
        m_rtl->close();
        m_rtl.reset();
    }
    if (m_sc) {
        sc_core::sc_close_vcd_trace_file(m_sc);
        m_sc = nullptr;
    }
}

}  // namespace bitcim

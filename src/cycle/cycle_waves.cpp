#include "cycle/cycle_waves.h"

#include <algorithm>

#include <verilated.h>
#include <verilated_vcd_sc.h>

#include "core/errors.h"
#include "cycle/dual_vcd.h"
#include "cycle/rtl_vcd_capture.h"
#include "sim/fst_trace.h"
#include "sim/gtkw.h"
#include "sim/simulation.h"

namespace bitcim {

CycleWaves::CycleWaves(const TraceOptions& opt) : m_opt(opt) {
    if (!enabled()) return;
    if (m_opt.fst()) {
        Verilated::traceEverOn(true);
        m_fst = std::make_unique<FstTraceFile>(m_opt.path);
    } else {
        m_vcd = std::make_unique<DualVcd>(vcd_prefix(m_opt.path));
    }
}

CycleWaves::~CycleWaves() { close(); }

sc_core::sc_trace_file* CycleWaves::systemc_file() const {
    if (m_fst) return m_fst.get();
    return m_vcd ? m_vcd->systemc_file() : nullptr;
}

std::vector<size_t> CycleWaves::select_adcs(const TraceOptions& opt, const core::HwConfig& cfg) {
    const std::vector<std::string> names = CyclePe::adc_names(cfg);
    std::vector<size_t> set;
    const bool all = opt.adcs.size() == 1 && opt.adcs[0] == "all";
    if (opt.adcs.empty() || all) {
        if (opt.fst() || all) {
            for (size_t a = 0; a < names.size(); ++a) set.push_back(a);
        } else {
            set.push_back(0);
        }
        return set;
    }
    for (const std::string& want : opt.adcs) {
        const auto it = std::find(names.begin(), names.end(), want);
        if (it == names.end()) {
            std::string all;
            for (const std::string& n : names) all += (all.empty() ? "" : ",") + n;
            throw InputError("--trace-adcs " + want + ": no such ADC; this configuration's PE has " + all);
        }
        const size_t a = static_cast<size_t>(it - names.begin());
        if (std::find(set.begin(), set.end(), a) == set.end()) set.push_back(a);
    }
    return set;
}

void CycleWaves::start(CyclePe& pe, const core::HwConfig& cfg) {
    const std::vector<size_t> set = enabled() ? select_adcs(m_opt, cfg) : std::vector<size_t>{};
    for (size_t a : set) m_adc_names.push_back(pe.adcs[a].basename());
    if (m_vcd) {
        pe.trace(m_vcd->systemc_file());
        m_vcd->start([&pe, &set](VerilatedVcdSc* rtl) {
            for (size_t a : set) pe.adcs[a].trace(rtl, kRtlTraceLevels);
        });
        return;
    }
    if (m_fst) pe.trace(m_fst.get(), set);
    bitcim::simulate(sc_core::SC_ZERO_TIME);  // ends elaboration: Verilated tracing needs it
    if (!m_fst) return;
    m_capture = std::make_unique<RtlVcdCapture>(*m_fst);
    for (size_t a : set) pe.adcs[a].trace(m_capture->vcd(), kRtlTraceLevels);
    m_capture->open();
    m_fst->ready();
    if (m_opt.windowed() && m_opt.first_image > 0) m_fst->set_recording(false);
}

void CycleWaves::set_recording(bool on) {
    if (m_fst) m_fst->set_recording(on);
}

void CycleWaves::close() {
    if (m_vcd) m_vcd->close();
    if (m_fst) {
        m_fst->close();
        write_gtkw(*m_fst, gtkw_path(m_opt.path));
        m_capture.reset();
        m_fst.reset();
    }
}

std::string CycleWaves::note() const {
    if (!enabled()) return "";
    std::string adcs;
    for (const std::string& n : m_adc_names) adcs += (adcs.empty() ? "" : ",") + n;
    if (!m_opt.fst()) {
        const std::string prefix = vcd_prefix(m_opt.path);
        return "waveforms: " + prefix + "_sc.vcd (SystemC) and " + prefix + "_rtl.vcd (RTL of ADC " + adcs + ")";
    }
    return "waveform: " + m_opt.path + " (SystemC and the RTL of ADC " + adcs + "), GTKWave view " +
           gtkw_path(m_opt.path);
}

}  // namespace bitcim

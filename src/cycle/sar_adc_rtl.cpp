#include "cycle/sar_adc_rtl.h"

#include <verilated.h>
#include <verilated_vcd_c.h>

#include "Vsar_adc_ctrl.h"
#include "components/sar_adc.h"

namespace bitcim {

SarAdcRtl::SarAdcRtl(const sc_core::sc_module_name& name)
    : sc_module(name), clk("clk"), rst("rst"), m_rtl(std::make_unique<Vsar_adc_ctrl>("sar_adc_ctrl")) {
    m_rtl->clk_i(clk);
    m_rtl->rst_i(rst);
    m_rtl->start_i(start);
    m_rtl->bits_i(bits);
    m_rtl->comp_i(comp);
    m_rtl->busy_o(busy);
    m_rtl->done_o(done);
    m_rtl->error_o(error);
    m_rtl->dac_code_o(dac_code);
    m_rtl->code_o(code);
    SC_HAS_PROCESS(SarAdcRtl);
    SC_METHOD(compare);
    sensitive << dac_code << m_held_changed;
}

SarAdcRtl::~SarAdcRtl() = default;

void SarAdcRtl::hold(uint64_t bitline, unsigned lsb_shift) {
    m_bitline = bitline;
    m_shift = lsb_shift;
    m_held_changed.notify(sc_core::SC_ZERO_TIME);
}

// The comparator settles within the cycle: it follows every new trial code.
void SarAdcRtl::compare() { comp.write(m_bitline >= SarAdc::threshold(dac_code.read(), m_shift)); }

bool SarAdcRtl::over_range(unsigned bits_now) const {
    return m_bitline >= SarAdc::threshold(uint64_t{1} << bits_now, m_shift);
}

void SarAdcRtl::trace(VerilatedVcdC* vcd, int levels) { m_rtl->trace(vcd, levels); }

void SarAdcRtl::trace(sc_core::sc_trace_file* tf) const {
    for (const auto* s : {&start, &comp, &busy, &done}) sc_core::sc_trace(tf, *s, s->name());
    for (const auto* s : {&bits, &dac_code, &code}) sc_core::sc_trace(tf, *s, s->name());
}

void SarAdcRtl::final() { m_rtl->final(); }

}  // namespace bitcim

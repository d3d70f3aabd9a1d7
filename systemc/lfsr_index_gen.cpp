#include "lfsr_index_gen.h"

#include "lfsr.h"

namespace bitcim {

LfsrIndexGen::LfsrIndexGen(const sc_core::sc_module_name& name)
    : sc_module(name), clk("clk"), rst("rst"), load("load"), seed("seed"), taps("taps"), en("en"),
      state("state"), taps_out("taps_out") {
    SC_HAS_PROCESS(LfsrIndexGen);
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
}

// Synchronous reset wins, then load, then a step: the RTL's priority.
void LfsrIndexGen::on_clock() {
    if (rst.read()) {
        m_state = kResetSeed;
        m_taps = 0;
    } else if (load.read()) {
        m_state = seed.read();
        m_taps = taps.read();
    } else if (en.read()) {
        m_state = golden::lfsr_next(m_state, m_taps);
    }
    state.write(m_state);
    taps_out.write(m_taps);
}

}  // namespace bitcim

#include "cycle/lfsr_index_gen.h"

#include "core/lfsr.h"

namespace bitcim {

LfsrIndexGen::LfsrIndexGen(const sc_core::sc_module_name& name)
    : sc_module(name), clk("clk"), rst("rst"), load("load"), seed("seed"), taps("taps"), en("en"), n("n"),
      state("state"), taps_out("taps_out"), index("index"), index_valid("index_valid") {
    SC_HAS_PROCESS(LfsrIndexGen);
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
    SC_METHOD(derive_index);
    sensitive << state << n;
}

// Combinational: the candidate index of the current state (core::lfsr_index_candidate).
void LfsrIndexGen::derive_index() {
    const uint32_t positions = n.read();
    const uint32_t idx = core::lfsr_index_candidate(state.read(), positions);
    index.write(idx);
    index_valid.write(positions != 0 && idx < positions);
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
        m_state = core::lfsr_next(m_state, m_taps);
    }
    state.write(m_state);
    taps_out.write(m_taps);
}

}  // namespace bitcim

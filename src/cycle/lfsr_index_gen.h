// Behavioural LFSR index generator: a clocked SystemC model with the ports of
// the RTL (and of its Verilated wrapper LfsrRtl), stepping with the golden rule.
#pragma once

#include <cstdint>

#include <systemc>

namespace bitcim {

class LfsrIndexGen : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_in<bool> rst;
    sc_core::sc_in<bool> load;
    sc_core::sc_in<uint32_t> seed;
    sc_core::sc_in<uint32_t> taps;
    sc_core::sc_in<bool> en;
    sc_core::sc_in<uint32_t> n;
    sc_core::sc_out<uint32_t> state;
    sc_core::sc_out<uint32_t> taps_out;
    sc_core::sc_out<uint32_t> index;
    sc_core::sc_out<bool> index_valid;

    /// The state after reset, as the RTL's ResetSeed parameter.
    static constexpr uint32_t kResetSeed = 1;

    explicit LfsrIndexGen(const sc_core::sc_module_name& name);
    LfsrIndexGen(const LfsrIndexGen&) = delete;
    LfsrIndexGen& operator=(const LfsrIndexGen&) = delete;

private:
    void on_clock();
    void derive_index();

    uint32_t m_state = kResetSeed;
    uint32_t m_taps = 0;
};

}  // namespace bitcim

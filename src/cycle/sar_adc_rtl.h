// The Verilated SAR ADC controller (rtl/sar_adc_ctrl.v) in SystemC, with the
// analog half beside it: a sample-and-hold bitline value and the comparator
// against the capacitive DAC's level for the controller's trial code.
#pragma once

#include <cstdint>
#include <memory>

#include <systemc>

class Vsar_adc_ctrl;
class VerilatedVcdC;

namespace bitcim {

/// Resolution the Verilated controller is built for (its MaxBits parameter).
inline constexpr unsigned kSarRtlMaxBits = 8;

class SarAdcRtl : public sc_core::sc_module {
public:
    sc_core::sc_in<bool> clk;
    sc_core::sc_in<bool> rst;
    sc_core::sc_signal<bool> start{"start"};
    sc_core::sc_signal<uint32_t> bits{"bits"};
    sc_core::sc_signal<bool> comp{"comp"};
    sc_core::sc_signal<bool> busy{"busy"};
    sc_core::sc_signal<bool> done{"done"};
    sc_core::sc_signal<bool> error{"error"};
    sc_core::sc_signal<uint32_t> dac_code{"dac_code"};
    sc_core::sc_signal<uint32_t> code{"code"};

    explicit SarAdcRtl(const sc_core::sc_module_name& name);
    ~SarAdcRtl() override;
    SarAdcRtl(const SarAdcRtl&) = delete;
    SarAdcRtl& operator=(const SarAdcRtl&) = delete;

    /// The analog input held for the next conversion, and the LSB (2^shift units).
    void hold(uint64_t bitline, unsigned lsb_shift);
    uint64_t held() const { return m_bitline; }
    /// Over-range comparator: the held bitline rounds above the top code of `bits`.
    bool over_range(unsigned bits_now) const;

    void trace(VerilatedVcdC* vcd, int levels);
    void trace(sc_core::sc_trace_file* tf) const;
    void final();

private:
    void compare();

    std::unique_ptr<Vsar_adc_ctrl> m_rtl;
    uint64_t m_bitline = 0;
    unsigned m_shift = 0;
    sc_core::sc_event m_held_changed;
};

}  // namespace bitcim

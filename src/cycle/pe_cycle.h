// Cycle-level PE: one crossbar-sized block of a layer on structural crossbars
// (one per slice and polarity, plus the sign column), read row group by row
// group, every bitline converted by a Verilated SAR ADC controller clocked at
// the SAR bit clock, codes shift-added. Results equal the golden model's.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <systemc>

#include "components/crossbar.h"
#include "core/crossbar_layer.h"
#include "core/mapping.h"
#include "core/hw_config.h"
#include "core/int_matrix.h"
#include "cycle/sar_adc_rtl.h"
#include "core/technology.h"

namespace bitcim {

class CyclePe : public sc_core::sc_module {
public:
    /// The ADCs' clock at the SAR bit rate, gated by the PE: it runs only while
    /// conversions are in flight, as an idle ADC's clock would be gated in silicon
    /// (and so the simulation does not evaluate idle RTL during crossbar reads).
    sc_core::sc_signal<bool> adc_clk{"adc_clk"};
    sc_core::sc_signal<bool> adc_rst{"adc_rst"};
    sc_core::sc_signal<bool> busy{"busy"};
    sc_core::sc_signal<uint32_t> input_bit_plane{"input_bit_plane"};  ///< input bit-plane being applied
    sc_core::sc_signal<uint32_t> row_group{"row_group"};  ///< row group being read
    sc_core::sc_signal<bool> reading{"reading"};          ///< crossbar read in progress
    /// The mapped block the PE holds, counted over the run: the simulation runs a layer's
    /// blocks through this one PE in turn, where the chip has a PE per block.
    sc_core::sc_signal<uint32_t> block{"block"};
    /// One per ADC instance, named after the column group it converts as the JSON
    /// reports name them ("slice3+", "slice0-", "sign"), "_j" added when a group has several.
    sc_core::sc_vector<SarAdcRtl> adcs;

    /// `cfg` as built; the clock is the SAR bit clock (tech.sar_bit_time_ns).
    CyclePe(const sc_core::sc_module_name& name, const core::HwConfig& cfg, const core::Technology& tech);
    CyclePe(const CyclePe&) = delete;
    CyclePe& operator=(const CyclePe&) = delete;

    /// ADC instances the PE is built with: per column group, ceil(outputs per crossbar / columns_per_adc).
    static unsigned adc_count(const core::HwConfig& cfg);
    /// The ADC instances' names, in instance order.
    static std::vector<std::string> adc_names(const core::HwConfig& cfg);
    sc_core::sc_time clock_period() const { return m_period; }

    /// Resets the ADC controllers (two gated clock cycles); call from a thread first.
    void reset();
    /// Holds a block (rows = outputs, cols = inputs, at most one crossbar's worth).
    void program(const core::IntMatrix& block);
    /// One MVM of the block; call from a thread. Adds events to `counters`;
    /// returns outputs and sets *cycles to the clock cycles it took.
    std::vector<int64_t> run(const std::vector<uint32_t>& x, core::MvmCounters& counters, uint64_t* cycles);

    /// The PE's signals and the ports of the ADCs `adcs` (indices; all when empty).
    void trace(sc_core::sc_trace_file* tf, const std::vector<size_t>& adc_set = {}) const;

private:
    struct Signal {
        std::vector<unsigned> xbars;  ///< cell crossbars whose bitlines it combines (analog: all slices)
        unsigned out_shift;
        bool negative;
        unsigned adc_group;
        unsigned lsb_shift;
        unsigned first_adc;  ///< its column group's first ADC instance
    };
    struct Conversion {
        size_t output;
        unsigned signal;
        uint64_t bitline;
    };

    void build_signals();
    uint64_t tick();

    core::HwConfig m_cfg;
    const core::Technology& m_tech;
    sc_core::sc_time m_period;
    std::vector<Crossbar> m_xbars;  ///< [set * slices + k], then the sign column crossbar
    std::vector<Signal> m_signals;
    size_t m_outputs = 0;
    size_t m_inputs = 0;
    uint32_t m_blocks = 0;  ///< blocks programmed so far
};

}  // namespace bitcim

// Exhaustive check of the Verilated SAR ADC controller against the golden ADC
// transfer: every resolution 1..8, several LSB sizes, every input level up to
// past saturation; the cycle count of each conversion is checked too.
// Usage: sar_adc_cosim [VCD_PREFIX]
#include <cstdio>
#include <string>

#include <systemc>
#include <verilated_vcd_sc.h>

#include "sim/simulation.h"
#include "core/adc.h"
#include "cycle/dual_vcd.h"
#include "sim/reporting.h"
#include "cycle/sar_adc_rtl.h"

namespace {

using bitcim::core::AdcTransfer;

struct Bench : sc_core::sc_module {
    sc_core::sc_clock clk{"clk", sc_core::sc_time(1, sc_core::SC_NS)};
    sc_core::sc_signal<bool> rst{"rst"};
    bitcim::SarAdcRtl adc{"adc"};
    unsigned long conversions = 0, failures = 0;

    explicit Bench(const sc_core::sc_module_name& n) : sc_module(n) {
        adc.clk(clk);
        adc.rst(rst);
        SC_HAS_PROCESS(Bench);
        SC_THREAD(run);
    }

    void fail(const char* what, unsigned bits, uint64_t v, uint64_t got, uint64_t want) {
        if (++failures <= 10)
            std::fprintf(stderr, "MISMATCH %s: bits %u input %llu: rtl %llu golden %llu\n", what, bits,
                         static_cast<unsigned long long>(v), static_cast<unsigned long long>(got),
                         static_cast<unsigned long long>(want));
    }

    // One conversion: returns the code and the cycles from the start edge to done.
    uint32_t convert(unsigned bits, uint64_t v, unsigned shift, unsigned* cycles) {
        adc.hold(v, shift);
        wait(clk.negedge_event());
        adc.start.write(true);
        adc.bits.write(bits);
        wait(clk.negedge_event());
        adc.start.write(false);
        *cycles = 1;
        while (!adc.done.read()) {
            wait(clk.negedge_event());
            ++*cycles;
        }
        return adc.code.read();
    }

    void run() {
        rst.write(true);
        wait(clk.negedge_event());
        rst.write(false);
        for (unsigned bits = 1; bits <= bitcim::kSarRtlMaxBits; ++bits) {
            const uint64_t top = (uint64_t{1} << bits) - 1;
            for (uint64_t full_scale : {top, top * 4, top * 16 + 3}) {
                const AdcTransfer t = AdcTransfer::scaled(bits, full_scale);
                for (uint64_t v = 0; v <= ((top + 2) << t.lsb_shift()); ++v) {
                    unsigned cycles = 0;
                    bool saturated = false;
                    const uint32_t want = t.convert(v, &saturated);
                    const uint32_t got = convert(bits, v, t.lsb_shift(), &cycles);
                    ++conversions;
                    if (got != want) fail("code", bits, v, got, want);
                    if (adc.over_range(bits) != saturated) fail("saturation", bits, v, adc.over_range(bits), saturated);
                    if (cycles != bits + 1) fail("cycles", bits, v, cycles, bits + 1);
                }
            }
        }
        unsigned cycles = 0;
        for (unsigned bad : {0u, bitcim::kSarRtlMaxBits + 1}) {
            const uint32_t got = convert(bad, 5, 0, &cycles);
            ++conversions;
            if (!adc.error.read() || got != 0 || cycles != 1) fail("error flag", bad, 5, adc.error.read(), 1);
        }
        sc_core::sc_stop();
    }
};

}  // namespace

int sc_main(int argc, char* argv[]) {
    bitcim::configure_systemc_reporting();
    bitcim::DualVcd vcd(argc > 1 ? argv[1] : "");
    Bench bench("bench");
    if (vcd.enabled()) bench.adc.trace(vcd.systemc_file());
    vcd.start([&bench](VerilatedVcdSc* rtl) { bench.adc.trace(rtl, bitcim::kRtlTraceLevels); });
    bitcim::simulate();
    bench.adc.final();
    vcd.close();
    std::printf("sar_adc_cosim: %lu conversions checked against the golden transfer, %lu mismatches\n",
                bench.conversions, bench.failures);
    return bench.failures == 0 ? 0 : 1;
}

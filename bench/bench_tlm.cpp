// The TLM model's speed against the golden model on the same layer (issue #15: tlm/golden
// at most 1.5x at 128, 512 and 2048): the host programs the layer over the bus once (as a
// network run reprograms it per batch, from the PEs' kernel cache), then runs batches of
// 64 distinct input vectors through the chip; golden runs the same vectors through one
// BitSlicedLayer. Bit-sparse weights with [1,3,3,3] ADCs and dense weights with 8-bit ADCs,
// 2-bit cells, 1-bit DAC, 128x128 crossbars. Repetitions in random interleaved order on
// process CPU time; the table gives medians and the median of the per-repetition ratios.
// The PEs' busy lines are off, as in every untraced run (ChipParams::busy_lines).
// SystemC elaborates once, so one host thread measures everything inside the simulation.
//
//   build/bench_tlm [REPETITIONS [SIZE [sparse|dense]]]   (default 5, every size, both kinds)
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <systemc>

#include "core/crossbar_layer.h"
#include "sim/reporting.h"
#include "sim/simulation.h"
#include "tlm/regmap.h"
#include "tlm/tlm_system.h"

namespace {

using namespace bitcim;

constexpr size_t kBatch = 64;
constexpr size_t kSizes[] = {128, 512, 2048};
constexpr size_t kLargest = 2048;

double cpu_seconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

core::HwConfig config(bool bit_sparse) {
    core::HwConfig hw;
    hw.adc_bits = bit_sparse ? std::vector<unsigned>{1, 3, 3, 3} : std::vector<unsigned>{8, 8, 8, 8};
    return hw;
}

// Like bench_golden's: bit-sparse = 90% zero, the rest below 64; dense = every 8-bit magnitude.
core::IntMatrix make_weights(size_t n, bool bit_sparse) {
    std::mt19937_64 rng(n);
    core::IntMatrix w(n, n);
    for (auto& v : w.data) {
        const int64_t mag = bit_sparse ? (rng() % 10 == 0 ? static_cast<int64_t>(rng() % 64) : 0)
                                       : static_cast<int64_t>(rng() % 256);
        v = (rng() & 1) ? mag : -mag;
    }
    return w;
}

struct Case {
    size_t n;
    bool bit_sparse;
    core::IntMatrix weights;
    std::vector<std::vector<uint32_t>> inputs;
    std::unique_ptr<core::BitSlicedLayer> layer;
    std::vector<double> golden_s, tlm_s;
};

std::vector<Case> g_cases;

void measure(HostInitiator& host, int repetitions, size_t only, const std::string& kind) {
    for (bool sparse : {true, false})
        for (size_t n : kSizes) {
            if ((only && n != only) || (!kind.empty() && kind != (sparse ? "sparse" : "dense"))) continue;
            Case c{n, sparse, make_weights(n, sparse), {}, nullptr, {}, {}};
            std::mt19937 rng(static_cast<unsigned>(n) + 7);
            c.inputs.assign(kBatch, std::vector<uint32_t>(n));
            for (auto& x : c.inputs)
                for (auto& v : x) v = rng() % 256;
            c.layer = std::make_unique<core::BitSlicedLayer>(config(sparse), c.weights);
            g_cases.push_back(std::move(c));
        }
    // Each repetition visits every (case, level) in a new random order.
    std::mt19937 order_rng(42);
    std::vector<std::pair<size_t, bool>> order;
    for (size_t i = 0; i < g_cases.size(); ++i) order.insert(order.end(), {{i, false}, {i, true}});
    size_t programmed = g_cases.size();
    for (int r = 0; r < repetitions + 1; ++r) {  // the first is a warm-up, not counted
        std::shuffle(order.begin(), order.end(), order_rng);
        for (const auto& [i, tlm] : order) {
            Case& c = g_cases[i];
            double s = 0;
            if (tlm) {
                // The chip holds one configuration's ADCs: reprogram when the case changes.
                if (programmed != i) {
                    host.write32(regmap::CTRL, regmap::CTRL_CLEAR_COUNTERS);
                    host.set_adc_bits(config(c.bit_sparse).adc_bits);
                    if (host.program_layer(c.weights) != regmap::ERR_NONE) throw std::runtime_error("bench: program failed");
                    programmed = i;
                }
                std::vector<std::vector<int64_t>> ys;
                const double t0 = cpu_seconds();
                if (host.run_batch(c.inputs, c.n, ys) != regmap::ERR_NONE) throw std::runtime_error("bench: run failed");
                s = cpu_seconds() - t0;
            } else {
                auto counters = c.layer->make_counters();
                const double t0 = cpu_seconds();
                for (size_t v = 0; v < c.inputs.size(); ++v) {
                    const auto y = c.layer->run(c.inputs[v], counters, v);
                    if (y.empty()) std::abort();
                }
                s = cpu_seconds() - t0;
            }
            if (r > 0) (tlm ? c.tlm_s : c.golden_s).push_back(s);
        }
    }
}

}  // namespace

int sc_main(int argc, char* argv[]) {
    configure_systemc_reporting();
    set_global_quantum();
    const int repetitions = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
    const size_t only = argc > 2 ? static_cast<size_t>(std::atol(argv[2])) : 0;
    const std::string kind = argc > 3 ? argv[3] : "";
    // ADC resolutions are lowered at run time from the chip's 8-bit ADCs.
    ChipParams params = chip_params_for(config(false), kLargest, kLargest, kBatch);
    params.busy_lines = false;  // as in an untraced `bitcim run` or `mvm`
    TlmSystem system("system", params, core::default_technology(),
                     [repetitions, only, kind](HostInitiator& host) { measure(host, repetitions, only, kind); });
    bitcim::simulate();
    std::printf("\nbench_tlm: %zu distinct vectors a batch, %d repetitions, process CPU time, medians\n\n", kBatch,
                repetitions);
    std::printf("| n | weights, ADCs | golden MMAC/s | tlm MMAC/s | tlm/golden |\n| ---: | --- | ---: | ---: | ---: |\n");
    for (const Case& c : g_cases) {
        const double macs = static_cast<double>(c.n * c.n * kBatch);
        std::vector<double> ratios;
        for (size_t r = 0; r < c.tlm_s.size(); ++r) ratios.push_back(c.tlm_s[r] / c.golden_s[r]);
        std::printf("| %zu | %s | %.0f | %.0f | %.2f |\n", c.n, c.bit_sparse ? "bit-sparse, [1,3,3,3]" : "dense, 8-bit",
                    macs / median(c.golden_s) / 1e6, macs / median(c.tlm_s) / 1e6, median(ratios));
    }
    return 0;
}

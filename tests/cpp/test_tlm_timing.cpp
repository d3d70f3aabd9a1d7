// The TLM chip's latency against the documented formula on hand-computed cases,
// and every counter register read over the bus against the golden report of the
// same job.
//
// The formula (docs/DECISIONS.md D-011, D-021; docs/ARCHITECTURE.md "The TLM
// latency of a tile"), for one START of B vectors:
//   read      = crossbar_read_ns + conversions per ADC x N x sar_bit_time_ns
//               (N: the slowest column group's ADC resolution; conversions per
//               ADC = min(columns_per_adc, outputs in the crossbar))
//   PE        = input chunks x row groups per crossbar x read
//   PE stage  = the slowest tile: its slowest PE + tile_accumulate_ns per PE partial sum
//   in, out   = ceil(K x 2 / 8), ceil(M x 8 / 8) 64-bit words x buffer_access_ns
//   BUSY_NS   = in + PE stage + out + (B - 1) x max(in, PE stage, out)
// The technology here has round figures (not config/technology.json's) so that
// every expected time below is worked out by hand, in whole nanoseconds.
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/mvm_report.h"
#include "tlm_bench.h"

namespace bitcim::test {
namespace {

using namespace regmap;

core::Technology round_technology() {
    core::Technology t = core::default_technology();
    t.crossbar_read_ns = 100;
    t.sar_bit_time_ns = 0.25;   // a 4-bit conversion: 1 ns
    t.buffer_access_ns = 2;     // per 64-bit word
    t.tile_accumulate_ns = 3;   // per PE partial sum
    t.register_access_ns = 1;
    return t;
}

/// 32 x 32 crossbars, 16 rows per read (2 row groups), 8 columns per ADC, 8-bit
/// inputs through 1-bit DACs (8 chunks), 8-bit weights in 2-bit cells, 4-bit ADCs.
core::HwConfig base_hw() {
    core::HwConfig hw;
    hw.xbar_rows = 32;
    hw.xbar_cols = 32;
    hw.parallel_rows = 16;
    hw.columns_per_adc = 8;
    hw.adc_bits = {4, 4, 4, 4};
    return hw;
}

core::IntMatrix random_weights(size_t outputs, size_t inputs, unsigned seed) {
    core::IntMatrix w(outputs, inputs);
    std::mt19937 rng(seed);
    for (auto& v : w.data) v = static_cast<int64_t>(rng() % 511) - 255;
    return w;
}

std::vector<std::vector<uint32_t>> random_inputs(size_t batch, size_t inputs, unsigned seed) {
    std::vector<std::vector<uint32_t>> xs(batch, std::vector<uint32_t>(inputs));
    std::mt19937 rng(seed);
    for (auto& x : xs)
        for (auto& v : x) v = rng() % 256;
    return xs;
}

struct TimedJob {
    core::HwConfig hw = base_hw();
    size_t inputs = 32, outputs = 8, batch = 1;
    unsigned pes_per_tile = 8;
    std::vector<unsigned> run_adc_bits;  ///< ADC_BITS written before START; empty: as built
    core::Technology tech = round_technology();
};

/// Runs every job on a chip sized for it, all in one simulation (SystemC elaborates
/// once per process); returns each job's BUSY_NS read over the bus.
std::vector<uint64_t> busy_ns(const std::vector<TimedJob>& jobs) {
    std::vector<uint64_t> ns(jobs.size(), 0);
    std::vector<BenchSpec> benches;
    for (size_t i = 0; i < jobs.size(); ++i) {
        const TimedJob& job = jobs[i];
        benches.push_back({chip_params_for(job.hw, job.inputs, job.outputs, job.batch, job.pes_per_tile),
                           [&job, &ns, i](HostInitiator& h, Chip&) {
                               ASSERT_EQ(h.program_layer(random_weights(job.outputs, job.inputs, 1)), ERR_NONE);
                               if (!job.run_adc_bits.empty()) h.set_adc_bits(job.run_adc_bits);
                               std::vector<std::vector<int64_t>> ys;
                               ASSERT_EQ(h.run_batch(random_inputs(job.batch, job.inputs, 2), job.outputs, ys),
                                         ERR_NONE);
                               ns[i] = read64(h, BUSY_NS_LO, BUSY_NS_HI);
                           },
                           &job.tech});
    }
    run_benches(benches);
    return ns;
}

uint64_t busy_ns(const TimedJob& job) { return busy_ns(std::vector<TimedJob>{job}).at(0); }

// One PE (K = 32, M = 8):
//   read = 100 + 8 conversions x 4 bits x 0.25 = 108; PE = 8 chunks x 2 groups x 108 = 1728
//   PE stage = 1728 + 1 partial x 3 = 1731; in = 8 words x 2 = 16; out = 8 words x 2 = 16
TEST(TlmTiming, OneVector) {
    EXPECT_EQ(busy_ns(TimedJob{}), 16u + 1731u + 16u);  // 1763
}

// Batch pipelining: the first vector pays in + PE + out, every later one the slowest stage.
TEST(TlmTiming, BatchIsPipelined) {
    TimedJob job;
    job.batch = 5;
    EXPECT_EQ(busy_ns(job), 1763u + 4u * 1731u);  // 8687; without pipelining 5 x 1763 = 8815
}

// Four PEs (K = 64, M = 64: 2 row blocks x 2 column blocks), each 1728 ns, in one tile:
//   PE stage = 1728 + 4 partials x 3 = 1740; in = 16 words x 2 = 32; out = 64 words x 2 = 128
TEST(TlmTiming, TileAccumulatesEveryPartialSum) {
    TimedJob one, three;
    one.inputs = one.outputs = three.inputs = three.outputs = 64;
    three.batch = 3;
    const std::vector<uint64_t> ns = busy_ns({one, three});
    EXPECT_EQ(ns[0], 32u + 1740u + 128u);         // 1900; without accumulation 1888
    EXPECT_EQ(ns[1], 1900u + 2u * 1740u);         // 5380
}

// The same four PEs over tiles of two, then of one: the slowest tile counts.
TEST(TlmTiming, TilesWorkInParallel) {
    TimedJob two, one;
    two.inputs = two.outputs = one.inputs = one.outputs = 64;
    two.pes_per_tile = 2;
    one.pes_per_tile = 1;
    const std::vector<uint64_t> ns = busy_ns({two, one});
    EXPECT_EQ(ns[0], 32u + (1728u + 2u * 3u) + 128u);  // 1894
    EXPECT_EQ(ns[1], 32u + (1728u + 3u) + 128u);       // 1891
}

// ADC sharing: an ADC converts its columns one after another.
TEST(TlmTiming, AdcSharing) {
    std::vector<TimedJob> jobs(4);
    jobs[0].hw.columns_per_adc = 4;   // 4 conversions: read 100 + 4 x 4 x 0.25 = 104, PE 16 x 104 = 1664
    jobs[1].hw.columns_per_adc = 1;   // 1 conversion: read 101, PE 1616
    jobs[2].hw.columns_per_adc = 32;  // M = 8 outputs: still 8 conversions per ADC
    jobs[3].hw.columns_per_adc = 32;
    jobs[3].outputs = 32;             // 32 conversions: read 100 + 32 = 132, PE 2112; out 32 words x 2 = 64
    const std::vector<uint64_t> ns = busy_ns(jobs);
    EXPECT_EQ(ns[0], 16u + (1664u + 3u) + 16u);
    EXPECT_EQ(ns[1], 16u + (1616u + 3u) + 16u);
    EXPECT_EQ(ns[2], 16u + (1728u + 3u) + 16u);
    EXPECT_EQ(ns[3], 16u + (2112u + 3u) + 64u);
}

// The slowest column group sets the read: one 4-bit group among 2-bit ones is as
// slow as all 4-bit; lowering ADC_BITS at run time shortens it.
TEST(TlmTiming, SlowestAdcAndRunTimeResolution) {
    TimedJob mixed, lowered;
    mixed.hw.adc_bits = lowered.hw.adc_bits = {4, 2, 2, 2};
    lowered.run_adc_bits = {2, 2, 2, 2};  // read 100 + 8 x 2 x 0.25 = 104, PE 1664
    const std::vector<uint64_t> ns = busy_ns({mixed, lowered});
    EXPECT_EQ(ns[0], 1763u);
    EXPECT_EQ(ns[1], 16u + (1664u + 3u) + 16u);
}

// When a buffer stage is the slowest, it paces the pipeline: buffer words at 50 ns.
//   in = 16 words x 50 = 800; out = 64 words x 50 = 3200; PE stage 1740 (four PEs, one tile)
TEST(TlmTiming, SlowestBufferStagePacesTheBatch) {
    TimedJob job;
    job.inputs = job.outputs = 64;
    job.tech.buffer_access_ns = 50;
    job.batch = 3;
    EXPECT_EQ(busy_ns(job), 800u + 1740u + 3200u + 2u * 3200u);  // 12140
}

// ---- counter registers against the golden report ------------------------------------

/// ADC resolutions where some groups saturate and some do not, so that saturation
/// and conversion counts differ.
core::HwConfig saturating_hw() {
    core::HwConfig hw = base_hw();
    hw.adc_bits = {3, 4, 5, 6};
    return hw;
}

void expect_counters_equal_golden(HostInitiator& h, const core::HwConfig& hw, const core::MvmCounters& golden,
                                  const std::string& when) {
    for (unsigned k = 0; k < hw.num_adc_groups(); ++k) {
        EXPECT_EQ(read64(h, SATURATIONS_LO, SATURATIONS_HI, k), golden.adc_saturations.at(k))
            << "SATURATIONS[" << k << "] " << when;
        EXPECT_EQ(read64(h, CONVERSIONS_LO, CONVERSIONS_HI, k), golden.adc_conversions.at(k))
            << "CONVERSIONS[" << k << "] " << when;
    }
}

TEST(TlmCounters, RegistersEqualTheGoldenReport) {
    const core::HwConfig hw = saturating_hw();
    const core::Technology tech = round_technology();
    const size_t inputs = 64, outputs = 40, batch = 6;  // four PEs, 8 chunks x 4 row groups per vector
    const core::IntMatrix w = random_weights(outputs, inputs, 11);
    const std::vector<std::vector<uint32_t>> xs = random_inputs(batch, inputs, 12);
    const core::MvmReport golden = core::run_golden(core::BitSlicedLayer(hw, w), xs, tech);
    // The case must tell saturations from conversions.
    bool partly_saturated = false;
    for (unsigned k = 0; k < hw.num_adc_groups(); ++k)
        partly_saturated = partly_saturated || (golden.counters.adc_saturations[k] > 0 &&
                                                golden.counters.adc_saturations[k] < golden.counters.adc_conversions[k]);
    ASSERT_TRUE(partly_saturated) << "no ADC group both saturates and converts without saturating";

    run_bench(
        chip_params_for(hw, inputs, outputs, batch),
        [&](HostInitiator& h, Chip& chip) {
            ASSERT_EQ(h.program_layer(w), ERR_NONE);
            for (unsigned k = 0; k < hw.num_adc_groups(); ++k)
                EXPECT_EQ(read64(h, CONVERSIONS_LO, CONVERSIONS_HI, k), 0u) << "before a run";
            std::vector<std::vector<int64_t>> ys;
            ASSERT_EQ(h.run_batch(xs, outputs, ys), ERR_NONE);
            EXPECT_EQ(ys, golden.outputs);
            expect_counters_equal_golden(h, hw, golden.counters, "after one run");
            // Busy time by the formula: read 100 + 8 x 6 x 0.25 = 112 (6-bit group slowest),
            // PE 8 x 2 x 112 = 1792; 2 row blocks x 2 column blocks (32 + 8 outputs) = 4 PEs:
            // PE stage 1792 + 4 x 3 = 1804 (the narrow column block converts 8 per ADC too);
            // in 16 words x 2 = 32; out 40 words x 2 = 80.
            const uint64_t one_run = 32 + 1804 + 80 + (batch - 1) * 1804;
            EXPECT_EQ(read64(h, BUSY_NS_LO, BUSY_NS_HI), one_run);
            EXPECT_EQ(read64(h, NOISE_EPOCH_LO, NOISE_EPOCH_HI), batch);
            // A second run adds to every counter; the epoch moves on.
            ASSERT_EQ(h.run_batch(xs, outputs, ys), ERR_NONE);
            core::MvmCounters twice = golden.counters;
            twice.add(golden.counters);
            expect_counters_equal_golden(h, hw, twice, "after two runs");
            EXPECT_EQ(read64(h, BUSY_NS_LO, BUSY_NS_HI), 2 * one_run);
            EXPECT_EQ(read64(h, NOISE_EPOCH_LO, NOISE_EPOCH_HI), 2 * batch);
            // The chip's own report (what bitcim mvm --level tlm prints) says the same.
            EXPECT_EQ(chip.counters().adc_saturations, twice.adc_saturations);
            EXPECT_EQ(chip.counters().adc_conversions, twice.adc_conversions);
            h.write32(CTRL, CTRL_CLEAR_COUNTERS);
            for (unsigned k = 0; k < hw.num_adc_groups(); ++k) {
                EXPECT_EQ(read64(h, SATURATIONS_LO, SATURATIONS_HI, k), 0u);
                EXPECT_EQ(read64(h, CONVERSIONS_LO, CONVERSIONS_HI, k), 0u);
            }
            EXPECT_EQ(read64(h, BUSY_NS_LO, BUSY_NS_HI), 0u);
        },
        tech);
}

// ChipParams::busy_lines off (every untraced run): the PEs' busy lines and adcs_active
// never move, and nothing else changes: outputs, counters, energy, busy time and the
// time the host sees, against the same job on a chip with its lines on, side by side.
TEST(TlmTiming, BusyLinesOffChangeNothingElse) {
    const core::HwConfig hw = saturating_hw();
    const core::Technology tech = round_technology();
    const size_t inputs = 64, outputs = 40, batch = 6;  // four PEs
    const core::IntMatrix w = random_weights(outputs, inputs, 11);
    const std::vector<std::vector<uint32_t>> xs = random_inputs(batch, inputs, 12);
    struct Seen {
        std::vector<std::vector<int64_t>> ys;
        core::MvmCounters counters;
        double energy_pj = 0;
        uint64_t busy_ns = 0;
        sc_core::sc_time done_at;
        unsigned adcs_active_changes = 0;
    };
    Seen seen[2];
    std::vector<BenchSpec> benches;
    for (const bool lines : {true, false}) {
        ChipParams params = chip_params_for(hw, inputs, outputs, batch);
        params.busy_lines = lines;
        Seen& s = seen[lines ? 0 : 1];
        benches.push_back({params,
                           [&w, &xs, &s](HostInitiator& h, Chip& chip) {
                               sc_core::sc_spawn_options watch;
                               watch.spawn_method();
                               watch.dont_initialize();
                               watch.set_sensitivity(&chip.adcs_active.value_changed_event());
                               sc_core::sc_spawn([&s] { ++s.adcs_active_changes; }, nullptr, &watch);
                               ASSERT_EQ(h.program_layer(w), ERR_NONE);
                               ASSERT_EQ(h.run_batch(xs, outputs, s.ys), ERR_NONE);
                               ASSERT_EQ(h.run_batch(xs, outputs, s.ys), ERR_NONE);  // twice: counters add up
                               s.counters = chip.counters();
                               s.energy_pj = chip.energy().total_pj();
                               s.busy_ns = read64(h, BUSY_NS_LO, BUSY_NS_HI);
                               h.idle(sc_core::SC_ZERO_TIME);
                               s.done_at = sc_core::sc_time_stamp();
                           },
                           &tech});
    }
    run_benches(benches);
    EXPECT_GE(seen[0].adcs_active_changes, 4u) << "with its lines on, adcs_active rises and falls with each run";
    EXPECT_EQ(seen[1].adcs_active_changes, 0u) << "with its lines off, adcs_active never moves";
    EXPECT_EQ(seen[1].ys, seen[0].ys);
    EXPECT_EQ(seen[1].counters.adc_conversions, seen[0].counters.adc_conversions);
    EXPECT_EQ(seen[1].counters.adc_saturations, seen[0].counters.adc_saturations);
    EXPECT_EQ(seen[1].counters.cell_reads, seen[0].counters.cell_reads);
    EXPECT_EQ(seen[1].energy_pj, seen[0].energy_pj);
    EXPECT_EQ(seen[1].busy_ns, seen[0].busy_ns);
    EXPECT_GT(seen[0].busy_ns, 0u);
    EXPECT_EQ(seen[1].done_at, seen[0].done_at);
}

// Sixteen ADC groups (16-bit weights in 1-bit cells): every element of the arrays.
TEST(TlmCounters, SixteenGroups) {
    core::HwConfig hw = base_hw();
    hw.weight_bits = 16;
    hw.cell_bits = 1;
    hw.adc_bits.clear();
    for (unsigned k = 0; k < 16; ++k) hw.adc_bits.push_back(2 + k % 5);
    const size_t inputs = 32, outputs = 8, batch = 3;
    core::IntMatrix w(outputs, inputs);
    std::mt19937 rng(21);
    for (auto& v : w.data) v = static_cast<int64_t>(rng() % 60001) - 30000;
    const std::vector<std::vector<uint32_t>> xs = random_inputs(batch, inputs, 22);
    const core::MvmReport golden = core::run_golden(core::BitSlicedLayer(hw, w), xs, core::default_technology());
    run_bench(chip_params_for(hw, inputs, outputs, batch), [&](HostInitiator& h, Chip&) {
        ASSERT_EQ(h.program_layer(w), ERR_NONE);
        std::vector<std::vector<int64_t>> ys;
        ASSERT_EQ(h.run_batch(xs, outputs, ys), ERR_NONE);
        EXPECT_EQ(ys, golden.outputs);
        expect_counters_equal_golden(h, hw, golden.counters, "16 groups");
    });
}

// Bus time outside BUSY_NS: every register access costs register_access_ns (1 ns) of
// host time, and PROGRAM moves the weight window onto the crossbars at one 64-bit word
// per buffer_access_ns (2 ns): K x M x 2 bytes / 8 words.
TEST(TlmTiming, RegisterAccessesAndProgramTakeBusTime) {
    const core::HwConfig hw = base_hw();
    sc_core::sc_time reads, program_small, program_large;
    run_bench(chip_params_for(hw, 32, 16, 1), [&](HostInitiator& h, Chip&) {
        h.idle(sc_core::SC_ZERO_TIME);
        const sc_core::sc_time t0 = h.now();
        for (int i = 0; i < 10; ++i) h.read32(STATUS);
        reads = h.now() - t0;
        // The same two register writes and completion each time; only the layer differs.
        auto program_time = [&h](size_t outputs) {
            h.write32(LAYER_INPUTS, 32);
            h.write32(LAYER_OUTPUTS, static_cast<uint32_t>(outputs));
            h.idle(sc_core::SC_ZERO_TIME);
            const sc_core::sc_time start = h.now();
            EXPECT_EQ(command(h, CTRL_PROGRAM), ERR_NONE);
            h.idle(sc_core::SC_ZERO_TIME);
            return h.now() - start;
        };
        program_small = program_time(8);
        program_large = program_time(16);
    }, round_technology());
    EXPECT_EQ(reads, sc_core::sc_time(10, sc_core::SC_NS));
    // 32 x 8 x 2 bytes = 64 words = 128 ns; 32 x 16: 128 words = 256 ns.
    EXPECT_EQ(program_large - program_small, sc_core::sc_time(128, sc_core::SC_NS));
    EXPECT_GE(program_small, sc_core::sc_time(128, sc_core::SC_NS));
}

}  // namespace
}  // namespace bitcim::test

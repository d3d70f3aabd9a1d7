// Co-simulation bench: the Verilated lfsr_index_gen against the golden LFSR,
// compared on every clock cycle over many (width, taps, seed) triples.
// Usage: lfsr_cosim [VCD_PREFIX]   (writes PREFIX_sc.vcd and PREFIX_rtl.vcd)
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <systemc>

#include "core/lfsr.h"
#include "cycle/lfsr_rtl.h"
#include "sim/reporting.h"

namespace {

using bitcim::LfsrJob;
using bitcim::core::LfsrParams;

constexpr int kRandomTriples = 300;
constexpr uint64_t kStepsPerRandomTriple = 200;
constexpr uint64_t kMaximalRunSteps = 70000;  // past the period of the 16-bit polynomial

constexpr uint64_t kIndexRunSteps = 6000;

std::vector<LfsrJob> make_jobs() {
    std::vector<LfsrJob> jobs;
    jobs.push_back({{16, 0xB400, 0x1}, kMaximalRunSteps, 0});
    jobs.push_back({{32, 0xA3000000, 0xDEADBEEF}, kMaximalRunSteps, 0});
    // Index streams for pruning patterns: positions below, at and above a power of two.
    jobs.push_back({{16, 0xB400, 0x2A}, kIndexRunSteps, 1000});
    jobs.push_back({{16, 0xB400, 0x1}, kIndexRunSteps, 4096});
    jobs.push_back({{20, 0x90000, 0x5}, kIndexRunSteps, 4097});
    jobs.push_back({{12, 0xE08, 0x3}, kIndexRunSteps, 1});
    std::mt19937 rng(20261122);
    for (int i = 0; i < kRandomTriples; ++i) {
        const unsigned width = bitcim::core::kLfsrMinWidth +
                               rng() % (bitcim::core::kLfsrMaxWidth - bitcim::core::kLfsrMinWidth + 1);
        const uint32_t mask = width == 32 ? 0xFFFFFFFFu : ((1u << width) - 1u);
        uint32_t taps = rng() & mask;
        uint32_t seed = rng() & mask;
        if (taps == 0) taps = 1u << (width - 1);
        if (seed == 0) seed = 1;
        jobs.push_back({{width, taps, seed}, kStepsPerRandomTriple, static_cast<uint32_t>(rng() % 5000)});
    }
    return jobs;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
    bitcim::configure_systemc_reporting();
    const std::string vcd_prefix = argc > 1 ? argv[1] : "";
    const std::vector<LfsrJob> jobs = make_jobs();

    // Expected states, job by job, from the golden function.
    std::vector<uint32_t> expected;
    for (const LfsrJob& job : jobs) {
        const auto seq = bitcim::core::lfsr_sequence(job.params, job.count);
        expected.insert(expected.end(), seq.begin(), seq.end());
    }

    bitcim::LfsrWaveforms waves;
    const std::vector<bitcim::LfsrStep> got = bitcim::run_lfsr_rtl(jobs, vcd_prefix, &waves);

    size_t mismatches = 0;
    size_t index_checks = 0;
    size_t i = 0;
    for (size_t j = 0; j < jobs.size(); ++j) {
        // The index stream: valid candidates, first occurrences only, must be the
        // golden rule's choice of that many positions.
        std::vector<uint32_t> taken;
        std::vector<bool> seen(jobs[j].n, false);
        for (uint64_t s = 0; s < jobs[j].count && i + s < got.size(); ++s) {
            const bitcim::LfsrStep& step = got[i + s];
            if (step.index_valid && !seen[step.index]) {
                seen[step.index] = true;
                taken.push_back(step.index);
            }
        }
        if (jobs[j].n > 0) {
            ++index_checks;
            const auto expected_idx = bitcim::core::lfsr_indices(jobs[j].params, jobs[j].n,
                                                                   static_cast<uint32_t>(taken.size()));
            if (taken != expected_idx && ++mismatches <= 10)
                std::fprintf(stderr, "INDEX MISMATCH job %zu (n %u): rtl chose %zu positions differently\n", j,
                             jobs[j].n, taken.size());
        }
        for (uint64_t s = 0; s < jobs[j].count; ++s, ++i) {
            const uint32_t rtl = i < got.size() ? got[i].state : 0;
            if (rtl != expected[i] && ++mismatches <= 10) {
                const LfsrParams& p = jobs[j].params;
                std::fprintf(stderr,
                             "MISMATCH job %zu (width %u taps 0x%X seed 0x%X) step %llu: rtl 0x%X golden 0x%X\n",
                             j, p.width, p.taps, p.seed, static_cast<unsigned long long>(s), rtl,
                             expected[i]);
            }
        }
    }
    if (got.size() != expected.size()) {
        std::fprintf(stderr, "rtl produced %zu states, golden %zu\n", got.size(), expected.size());
        ++mismatches;
    }
    if (waves.model_mismatches)
        std::fprintf(stderr, "behavioural LfsrIndexGen differed from the RTL on %llu steps\n",
                     static_cast<unsigned long long>(waves.model_mismatches));
    mismatches += waves.model_mismatches;
    std::printf("lfsr_cosim: %zu jobs, %zu cycles compared (RTL vs golden vs behavioural), %zu index streams, "
                "%zu mismatches\n", jobs.size(), expected.size(), index_checks, mismatches);
    if (!waves.systemc_vcd.empty())
        std::printf("waveforms: %s %s\n", waves.systemc_vcd.c_str(), waves.rtl_vcd.c_str());
    return mismatches == 0 ? 0 : 1;
}

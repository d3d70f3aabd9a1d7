// A fidelity level: what a command needs from golden, tlm or cycle. A command
// parses the level's name once into a LevelKind, asks the factory (app/levels.h)
// for the Level, and from then on asks the level what it can do (has_time,
// supports_adc_histograms) and runs through it; no command compares level names.
// Plain C++: the SystemC levels implement it in tlm/ and cycle/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/chip_map.h"
#include "core/crossbar_layer.h"
#include "core/int_matrix.h"
#include "core/mvm_report.h"
#include "core/technology.h"
#include "network/network.h"

namespace bitcim::core {

enum class LevelKind { Golden, Tlm, Cycle };

/// "golden", "tlm", "cycle": the name the command line takes and reports print.
const std::string& level_name(LevelKind kind);
/// Every level with its name, in the order help texts list them.
const std::vector<std::pair<std::string, LevelKind>>& level_names();

/// Clock counts of a clocked level.
struct CycleCounts {
    std::optional<uint64_t> cycles;  ///< an MVM batch's latency in clock cycles (single-layer runs)
    uint64_t simulated_cycles = 0;   ///< clock cycles the simulation ran (all blocks in turn)
    double clock_period_ns = 0;
};

/// {"simulated_cycles", "clock_period_ns"}, and "cycles" when known.
nlohmann::json to_json(const CycleCounts& c);

/// What only some levels report: each part is there if the level has it.
struct LevelExtras {
    std::optional<CycleCounts> cycle;
    /// The mapped chip's latency, interval and bottleneck as the level measured them
    /// (tlm: its pipeline model); absent: the level has none, the analytic figures apply.
    std::optional<ChipTiming> chip_timing;
    /// With a trace: the line telling the user which waveform files were written.
    std::string waveforms;
};

/// A whole network over images.
struct NetworkRun {
    std::vector<std::vector<float>> logits;  ///< per image
    std::vector<LayerStats> stats;           ///< per layer
    std::vector<PeripheryStats> periphery;   ///< per node but the input
    LevelExtras extras;
};

/// One layer's batch of MVMs.
struct MvmRun {
    MvmReport report;
    LevelExtras extras;
};

struct NetworkRunOptions {
    /// Images per batch: the progress granularity (and per layer one chip programming at tlm).
    size_t batch_images = 100;
    /// Called with the number of images done after each batch; may be empty.
    std::function<void(size_t done)> progress;
    /// Also count every conversion by ADC code (LayerStats::counters.adc_codes).
    bool adc_codes = false;
    /// Memory the run may use (0: no limit). A batch that would not fit is shrunk
    /// (told through `notice`); a network whose one image does not fit is refused.
    uint64_t memory_limit_bytes = 0;
    /// Called with a line for the user (a shrunk batch); may be empty.
    std::function<void(const std::string&)> notice;
    /// The network mapped onto the configured chip, for a level that runs its pipeline; may be null.
    const ChipMapping* chip_mapping = nullptr;
    /// A window of images [window_first, window_last) (window_last 0: none): `window` is told
    /// when the run enters it (true) and leaves it (false), so a level records waveforms of
    /// those images only (--trace-images). With `window_batches` false the window's images
    /// form batches of their own (for levels whose reports do not depend on the batches);
    /// with true the window widens to the batches that hold them, told through `notice`.
    size_t window_first = 0;
    size_t window_last = 0;
    bool window_batches = false;
    std::function<void(bool inside)> window;
};

class Level {
public:
    virtual ~Level() = default;

    virtual LevelKind kind() const = 0;
    const std::string& name() const { return level_name(kind()); }
    /// The level models time, so it can write waveforms (--trace).
    virtual bool has_time() const = 0;
    /// The level can count conversions by ADC code (NetworkRunOptions::adc_codes).
    virtual bool supports_adc_histograms() const = 0;
    /// Throws InputError if the level cannot run `net` (device faults, several
    /// number formats on one chip type).
    virtual void require_runnable(const Network& net) const { (void)net; }

    /// Runs `images` through `net`, batch by batch. Throws InputError for what
    /// the level refuses. The SystemC levels elaborate: at most once per process.
    NetworkRun run_network(const Network& net, const Technology& tech, const std::vector<std::vector<uint8_t>>& images,
                           const NetworkRunOptions& opt) const;
    /// Runs `inputs` through one layer: `weights` as `layer` maps them on the
    /// golden model (the caller built, and so validated, it; its configuration
    /// is the hardware's). The SystemC levels elaborate: at most once per process.
    virtual MvmRun run_mvm(const BitSlicedLayer& layer, const IntMatrix& weights,
                           const std::vector<std::vector<uint32_t>>& inputs, const Technology& tech) const = 0;

protected:
    /// run_network after its checks.
    virtual NetworkRun do_run_network(const Network& net, const Technology& tech,
                                      const std::vector<std::vector<uint8_t>>& images,
                                      const NetworkRunOptions& opt) const = 0;
};

/// Images per batch that fit `opt.memory_limit_bytes` (at most opt.batch_images);
/// throws InputError naming the node if not even one image fits.
size_t fitting_batch(const Network& net, const NetworkRunOptions& opt);

/// The batch loop of every level: `run.stats` zeroed, then `images` in batches
/// through Network::infer_batch with `backend`, logits appended to `run.logits`,
/// progress reported after each batch.
void run_batches(const Network& net, const std::vector<std::vector<uint8_t>>& images, const NetworkRunOptions& opt,
                 const MvmBackend& backend, NetworkRun& run);

/// The batch loop for a backend that may run on several threads at once (the golden
/// kernels): the same batches as run_batches, each on up to `threads` threads (fewer
/// if the memory limit does not hold that many batches at once) into stats of its own
/// whose noise epochs start at its first image's vectors, then added to `run` batch
/// by batch in order. So the run is the same, to the bit, for every thread count.
void run_batches_parallel(const Network& net, const std::vector<std::vector<uint8_t>>& images,
                          const NetworkRunOptions& opt, const MvmBackend& backend, unsigned threads, NetworkRun& run);

}  // namespace bitcim::core

// Waveform options and file naming shared by the tlm and cycle levels.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace bitcim {

/// A trace path without its ".vcd": SystemC's trace files add the extension.
inline std::string vcd_prefix(std::string path) {
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".vcd") == 0) path.resize(path.size() - 4);
    return path;
}

/// The path ends in ".fst": one FST file of SystemC and RTL signals (else VCD).
inline bool is_fst_path(const std::string& path) {
    return path.size() > 4 && path.compare(path.size() - 4, 4, ".fst") == 0;
}

/// The GTKWave save file written beside an FST trace: FILE.fst -> FILE.gtkw.
inline std::string gtkw_path(const std::string& fst) { return fst.substr(0, fst.size() - 4) + ".gtkw"; }

/// What `--trace` and its companions ask for (docs/DECISIONS.md D-110..D-113).
struct TraceOptions {
    TraceOptions() = default;
    TraceOptions(std::string trace_path) : path(std::move(trace_path)) {}  // NOLINT: a bare path is a trace
    TraceOptions(const char* trace_path) : path(trace_path) {}            // NOLINT: "" is no trace
    /// FILE.vcd (SystemC VCD; the cycle level adds FILE_sc.vcd + FILE_rtl.vcd) or FILE.fst; "" for none.
    std::string path;
    /// Images [first_image, last_image) are recorded; last_image 0: the whole run.
    size_t first_image = 0;
    size_t last_image = 0;
    /// Cycle level: the ADCs (by column-group name, "slice3+") whose RTL is recorded;
    /// empty: every ADC in an FST, the first ADC in a VCD.
    std::vector<std::string> adcs;
    /// tlm level: every bus access at the chip's target socket, one line each; "" for none.
    std::string bus_log;

    bool enabled() const { return !path.empty(); }
    bool fst() const { return is_fst_path(path); }
    bool windowed() const { return last_image != 0; }
};

}  // namespace bitcim

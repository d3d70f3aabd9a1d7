// A GTKWave save file for an FST trace: opens the file with every variable in
// the wave pane, one group per scope that holds variables (per PE, per ADC's
// ports, per ADC's RTL), multi-bit values in decimal.
#pragma once

#include <string>

namespace bitcim {

class FstTraceFile;

/// Writes `path` for `fst` (after its header is written); throws std::runtime_error if it cannot.
void write_gtkw(const FstTraceFile& fst, const std::string& path);

}  // namespace bitcim

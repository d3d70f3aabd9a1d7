// Waveform file naming shared by the tlm and cycle levels.
#pragma once

#include <string>

namespace bitcim {

/// A trace path without its ".vcd": SystemC's trace files add the extension.
inline std::string vcd_prefix(std::string path) {
    if (path.size() > 4 && path.compare(path.size() - 4, 4, ".vcd") == 0) path.resize(path.size() - 4);
    return path;
}

}  // namespace bitcim

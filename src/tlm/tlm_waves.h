// The tlm level's waveforms and bus log: FILE.vcd (SystemC's VCD, as before) or
// FILE.fst with a GTKWave save file FILE.gtkw beside it; the chip's signals, every
// PE's busy line and the bus probe's; the bus log when asked. A window of images
// (FST only) pauses both outside it.
#pragma once

#include <memory>
#include <string>

#include "sim/trace.h"
#include "tlm/chip.h"

namespace bitcim {

class FstTraceFile;

class TlmWaves {
public:
    /// Before the simulation starts: opens the files and traces `chip`.
    TlmWaves(const TraceOptions& opt, Chip& chip);
    ~TlmWaves();
    TlmWaves(const TlmWaves&) = delete;
    TlmWaves& operator=(const TlmWaves&) = delete;

    /// Records (true) or pauses (false): the window of images.
    void set_recording(bool on);
    /// Flushes and closes; writes FILE.gtkw for an FST.
    void close();
    /// What was written, for the user ("" for nothing).
    std::string note() const;

private:
    TraceOptions m_opt;
    Chip& m_chip;
    sc_core::sc_trace_file* m_vcd = nullptr;
    std::unique_ptr<FstTraceFile> m_fst;
};

}  // namespace bitcim

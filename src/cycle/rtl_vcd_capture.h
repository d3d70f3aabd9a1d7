// Verilated models' internals into an FstTraceFile: Verilator 5.006 records a
// model's signals into its own VCD or FST files only, so its VCD writer is given
// this file object, and the text it writes (declarations, then value changes per
// dump) becomes variables and changes of the FST file, under the models' own
// SystemC hierarchy. One object per FST file; every model traced into `vcd()`.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <memory>
#include <string>
#include <vector>

#include <verilated_vcd_c.h>

#include "sim/fst_trace.h"

namespace bitcim {

class RtlVcdCapture : public VerilatedVcdFile {
public:
    /// Call after elaboration; then trace models into vcd() and call open().
    explicit RtlVcdCapture(FstTraceFile& fst);
    ~RtlVcdCapture() override;
    RtlVcdCapture(const RtlVcdCapture&) = delete;
    RtlVcdCapture& operator=(const RtlVcdCapture&) = delete;

    VerilatedVcdC* vcd() { return m_vcd.get(); }
    /// Declares every traced model's signals in the FST file and samples them at
    /// each of its recorded time steps.
    void open();
    void close() override;

    bool open(const std::string&) override { return true; }
    ssize_t write(const char* bufp, ssize_t len) override;

private:
    void line(const std::string& text);
    /// A value change line after the declarations: "1#", "b00000101 &".
    void change(const std::string& text);

    FstTraceFile& m_fst;
    std::string m_pending;                 ///< a line not complete yet
    std::vector<std::string> m_scopes;
    std::unordered_map<std::string, size_t> m_codes;  ///< VCD identifier code -> FST variable
    bool m_header = true;
    bool m_dumped = false;
    uint64_t m_last_dump = 0;
    /// Last, so it is destroyed first: it writes into the members above.
    std::unique_ptr<VerilatedVcdC> m_vcd;
};

}  // namespace bitcim

// An FST waveform file (GTKWave's compressed format) written through the fstapi
// Verilator bundles, as a SystemC trace file: sc_trace() records bool and unsigned
// signals into it as into SystemC's VCD file, with the same hierarchical names.
// Other sources (a Verilated model's internals) add their own variables and
// value changes through declare_var()/change(). Recording can pause and resume
// (a window of the run); the file's time runs from the first recorded step.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <systemc>

namespace bitcim {

class FstTraceFile : public sc_core::sc_trace_file {
public:
    /// Opens `path` (a .fst) and registers with the SystemC kernel; throws InputError if it cannot.
    explicit FstTraceFile(const std::string& path);
    ~FstTraceFile() override;
    FstTraceFile(const FstTraceFile&) = delete;
    FstTraceFile& operator=(const FstTraceFile&) = delete;

    /// A variable of `bits` bits at the dotted `path`; `alias_of` (an earlier id) shares its values. Before ready().
    size_t declare_var(const std::string& path, unsigned bits, size_t alias_of = SIZE_MAX);
    /// The current value of variable `id`, '0'/'1' MSB first (shorter strings are zero-extended).
    void change(size_t id, const std::string& bits);
    /// Called at every recorded time step, after the SystemC signals are sampled:
    /// sources bring their variables up to date there (change()).
    void on_sample(std::function<void()> hook) { m_on_sample = std::move(hook); }

    /// Every variable is declared: the first time step after this writes the header.
    void ready() { m_ready = true; }
    /// Pauses (false) or resumes (true) recording; resuming records every value again.
    void set_recording(bool on);
    bool recording() const { return m_recording; }
    /// Records the current values now if recording, then closes the file.
    void close();

    struct Var {
        std::string path;  ///< dotted, scopes then name
        unsigned bits;
        size_t alias_of;
    };
    /// Every variable, SystemC signals and declared ones, in declaration order.
    const std::vector<Var>& vars() const { return m_vars; }
    const std::string& path() const { return m_path; }

    // ---- sc_trace_file ----
    void write_comment(const std::string&) override {}
    void set_time_unit(double, sc_core::sc_time_unit) override {}
    void trace(const bool& object, const std::string& name) override;
    void trace(const unsigned char& object, const std::string& name, int width) override;
    void trace(const unsigned short& object, const std::string& name, int width) override;
    void trace(const unsigned int& object, const std::string& name, int width) override;
    void trace(const unsigned long& object, const std::string& name, int width) override;
    void trace(const sc_dt::uint64& object, const std::string& name, int width) override;
    void trace(const unsigned int& object, const std::string& name, const char** enum_literals) override;

protected:
    void cycle(bool delta_cycle) override;

private:
#define BITCIM_FST_UNSUPPORTED_A(tp) \
    void trace(const tp&, const std::string& name) override { unsupported(name); }
#define BITCIM_FST_UNSUPPORTED_B(tp) \
    void trace(const tp&, const std::string& name, int) override { unsupported(name); }
    BITCIM_FST_UNSUPPORTED_A(sc_core::sc_event)
    BITCIM_FST_UNSUPPORTED_A(sc_core::sc_time)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_bit)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_logic)
    BITCIM_FST_UNSUPPORTED_B(char)
    BITCIM_FST_UNSUPPORTED_B(short)
    BITCIM_FST_UNSUPPORTED_B(int)
    BITCIM_FST_UNSUPPORTED_B(long)
    BITCIM_FST_UNSUPPORTED_B(sc_dt::int64)
    BITCIM_FST_UNSUPPORTED_A(float)
    BITCIM_FST_UNSUPPORTED_A(double)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_int_base)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_uint_base)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_signed)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_unsigned)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_fxval)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_fxval_fast)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_fxnum)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_fxnum_fast)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_bv_base)
    BITCIM_FST_UNSUPPORTED_A(sc_dt::sc_lv_base)
#undef BITCIM_FST_UNSUPPORTED_A
#undef BITCIM_FST_UNSUPPORTED_B
    [[noreturn]] static void unsupported(const std::string& name);

    /// A traced SystemC value: where it lives and how wide it is.
    struct Probe {
        size_t var;
        const void* object;
        unsigned bytes;
        uint64_t last = 0;
    };
    template <typename T>
    void add_probe(const T& object, const std::string& name, int width);
    void write_header();
    void sample(bool all);
    void emit(size_t var, const std::string& bits);
    /// Writes the last sample's time if it changed no value (a window's end, the run's end).
    void mark_time();

    std::string m_path;
    void* m_fst = nullptr;
    std::vector<Var> m_vars;
    std::vector<uint32_t> m_handles;       ///< fstHandle per variable, after the header
    std::vector<std::string> m_values;     ///< current value per variable (declared ones)
    std::vector<std::string> m_emitted;    ///< last value written per variable
    std::vector<Probe> m_probes;
    std::vector<bool> m_probed;            ///< per variable: a SystemC probe sets it
    std::vector<size_t> m_dirty;           ///< declared variables change() changed since the last sample
    std::vector<bool> m_dirty_flag;        ///< per variable: in m_dirty
    std::function<void()> m_on_sample;
    bool m_ready = false;
    bool m_header = false;
    bool m_recording = true;
    bool m_resume = true;  ///< the next sample writes every value
    bool m_time_written = false;  ///< this sample wrote its time
    bool m_any_time = false;      ///< some sample wrote a time
    uint64_t m_last_time = 0;     ///< this sample's time
    uint64_t m_emitted_time = 0;  ///< the last time written
};

}  // namespace bitcim

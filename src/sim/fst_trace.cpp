#include "sim/fst_trace.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include <fstapi.h>

namespace bitcim {

namespace {

std::vector<std::string> split_path(const std::string& path) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        const size_t dot = path.find('.', start);
        parts.push_back(path.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) return parts;
        start = dot + 1;
    }
}

std::string to_bits(uint64_t v, unsigned bits) {
    std::string s(bits, '0');
    for (unsigned b = 0; b < bits && b < 64; ++b)
        if ((v >> b) & 1) s[bits - 1 - b] = '1';
    return s;
}

}  // namespace

FstTraceFile::FstTraceFile(const std::string& path) : m_path(path) {
    m_fst = fstWriterCreate(path.c_str(), 1);
    if (!m_fst) throw std::runtime_error("cannot write the FST file " + path);
    fstWriterSetPackType(m_fst, FST_WR_PT_LZ4);
    fstWriterSetTimescale(m_fst, -12);  // 1 ps, SystemC's default resolution
    sc_core::sc_get_curr_simcontext()->add_trace_file(this);
}

FstTraceFile::~FstTraceFile() {
    close();
    sc_core::sc_get_curr_simcontext()->remove_trace_file(this);
}

void FstTraceFile::unsupported(const std::string& name) {
    throw std::logic_error("FST trace: " + name + " has a type the FST writer does not record (bool and unsigned only)");
}

size_t FstTraceFile::declare_var(const std::string& path, unsigned bits, size_t alias_of) {
    if (m_header) throw std::logic_error("FST trace: " + path + " declared after the header");
    m_vars.push_back({path, std::max(bits, 1u), alias_of});
    m_values.emplace_back(m_vars.back().bits, '0');
    m_dirty_flag.push_back(false);
    return m_vars.size() - 1;
}

void FstTraceFile::change(size_t id, const std::string& bits) {
    const size_t var = m_vars[id].alias_of == SIZE_MAX ? id : m_vars[id].alias_of;
    std::string v(m_values[var].size(), '0');
    const size_t n = std::min(bits.size(), v.size());
    std::copy(bits.end() - static_cast<long>(n), bits.end(), v.end() - static_cast<long>(n));
    if (v == m_values[var]) return;
    m_values[var] = std::move(v);
    if (!m_dirty_flag[var]) {
        m_dirty_flag[var] = true;
        m_dirty.push_back(var);
    }
}

template <typename T>
void FstTraceFile::add_probe(const T& object, const std::string& name, int width) {
    const unsigned bits = static_cast<unsigned>(std::clamp(width, 1, static_cast<int>(8 * sizeof(T))));
    const size_t var = declare_var(name, bits);
    m_probes.push_back({var, &object, static_cast<unsigned>(sizeof(T))});
}

void FstTraceFile::trace(const bool& object, const std::string& name) { add_probe(object, name, 1); }
void FstTraceFile::trace(const unsigned char& object, const std::string& name, int width) { add_probe(object, name, width); }
void FstTraceFile::trace(const unsigned short& object, const std::string& name, int width) { add_probe(object, name, width); }
void FstTraceFile::trace(const unsigned int& object, const std::string& name, int width) { add_probe(object, name, width); }
void FstTraceFile::trace(const unsigned long& object, const std::string& name, int width) { add_probe(object, name, width); }
void FstTraceFile::trace(const sc_dt::uint64& object, const std::string& name, int width) { add_probe(object, name, width); }
void FstTraceFile::trace(const unsigned int& object, const std::string& name, const char**) {
    add_probe(object, name, 32);
}

// Scopes from the dotted paths, in the order of first appearance per scope; a
// vector's name carries its range as Verilator's FST writer does ("code [31:0]").
void FstTraceFile::write_header() {
    struct Scope {
        std::vector<std::string> order;
        std::map<std::string, Scope> children;
        std::vector<size_t> vars;
    };
    Scope root;
    for (size_t i = 0; i < m_vars.size(); ++i) {
        const std::vector<std::string> parts = split_path(m_vars[i].path);
        Scope* s = &root;
        for (size_t p = 0; p + 1 < parts.size(); ++p) {
            if (!s->children.count(parts[p])) s->order.push_back(parts[p]);
            s = &s->children[parts[p]];
        }
        s->vars.push_back(i);
    }
    m_handles.assign(m_vars.size(), 0);
    std::function<void(const Scope&)> write = [&](const Scope& s) {
        for (size_t i : s.vars) {
            const Var& v = m_vars[i];
            std::string name = split_path(v.path).back();
            if (v.bits > 1) name += " [" + std::to_string(v.bits - 1) + ":0]";
            const fstHandle alias = v.alias_of == SIZE_MAX ? 0 : m_handles[v.alias_of];
            m_handles[i] = fstWriterCreateVar(m_fst, FST_VT_VCD_WIRE, FST_VD_IMPLICIT, v.bits, name.c_str(), alias);
        }
        for (const std::string& name : s.order) {
            fstWriterSetScope(m_fst, FST_ST_VCD_MODULE, name.c_str(), nullptr);
            write(s.children.at(name));
            fstWriterSetUpscope(m_fst);
        }
    };
    write(root);
    m_emitted.assign(m_vars.size(), "");
    m_probed.assign(m_vars.size(), false);
    for (const Probe& p : m_probes) m_probed[p.var] = true;
    m_header = true;
}

void FstTraceFile::emit(size_t var, const std::string& bits) {
    if (m_vars[var].alias_of != SIZE_MAX || (!m_resume && m_emitted[var] == bits)) return;
    if (!m_time_written) {
        if (!m_any_time || m_last_time > m_emitted_time) fstWriterEmitTimeChange(m_fst, m_last_time);
        m_any_time = true;
        m_emitted_time = m_last_time;
        m_time_written = true;
    }
    fstWriterEmitValueChange(m_fst, m_handles[var], bits.c_str());
    m_emitted[var] = bits;
}

void FstTraceFile::mark_time() {
    if (m_time_written || (m_any_time && m_last_time <= m_emitted_time)) return;
    fstWriterEmitTimeChange(m_fst, m_last_time);
    m_any_time = true;
    m_emitted_time = m_last_time;
}

void FstTraceFile::sample(bool all) {
    m_resume = m_resume || all;
    const uint64_t now = sc_core::sc_time_stamp().value();
    m_time_written = false;
    m_last_time = now;
    for (Probe& p : m_probes) {
        uint64_t v = 0;
        std::memcpy(&v, p.object, p.bytes);  // little-endian: the low bytes hold the value
        if (!m_resume && v == p.last) continue;
        p.last = v;
        m_values[p.var] = to_bits(v, m_vars[p.var].bits);
        emit(p.var, m_values[p.var]);
    }
    if (m_on_sample) m_on_sample();
    if (m_resume) {
        for (size_t i = 0; i < m_vars.size(); ++i)
            if (!m_probed[i]) emit(i, m_values[i]);
    } else {
        for (size_t i : m_dirty) emit(i, m_values[i]);
    }
    for (size_t i : m_dirty) m_dirty_flag[i] = false;
    m_dirty.clear();
    m_resume = false;
}

void FstTraceFile::cycle(bool delta_cycle) {
    if (delta_cycle || !m_ready || !m_fst || !m_recording) return;
    if (!m_header) write_header();
    sample(false);
}

void FstTraceFile::set_recording(bool on) {
    if (on == m_recording) return;
    if (!on && m_header && m_ready) {  // the values at the window's end, which the file's end marks
        sample(false);
        mark_time();
    }
    m_recording = on;
    // Resuming: every value at the end of this time step (the kernel samples the trace then).
    m_resume = on;
}

void FstTraceFile::close() {
    if (!m_fst) return;
    if (m_ready && m_recording) {
        if (!m_header) write_header();
        sample(false);
        mark_time();
    }
    if (!m_header) write_header();
    fstWriterClose(m_fst);
    m_fst = nullptr;
}

}  // namespace bitcim

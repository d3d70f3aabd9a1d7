#include "cycle/rtl_vcd_capture.h"

#include <sstream>

#include <systemc>

namespace bitcim {

RtlVcdCapture::RtlVcdCapture(FstTraceFile& fst) : m_fst(fst), m_vcd(std::make_unique<VerilatedVcdC>(this)) {}

RtlVcdCapture::~RtlVcdCapture() { close(); }

void RtlVcdCapture::open() {
    m_vcd->open("rtl-into-fst");  // the name goes nowhere: write() receives the text
    m_vcd->flush();
    m_fst.on_sample([this] {
        // Verilator dumps a time once (a window's start samples before its step ends).
        const uint64_t now = sc_core::sc_time_stamp().value();
        if (m_dumped && now <= m_last_dump) return;
        m_dumped = true;
        m_last_dump = now;
        m_vcd->dump(now);
        m_vcd->flush();
    });
}

void RtlVcdCapture::close() {
    if (m_vcd && m_vcd->isOpen()) m_vcd->close();
}

ssize_t RtlVcdCapture::write(const char* bufp, ssize_t len) {
    m_pending.append(bufp, static_cast<size_t>(len));
    size_t start = 0;
    for (size_t nl; (nl = m_pending.find('\n', start)) != std::string::npos; start = nl + 1)
        line(m_pending.substr(start, nl - start));
    m_pending.erase(0, start);
    return len;
}

// "$scope module system.pe.slice3+.sar_adc_ctrl $end" (the model's SystemC name),
// "$var wire 8 , code_d [7:0] $end", then "#time", "1#", "b00000101 &".
void RtlVcdCapture::line(const std::string& text) {
    if (!m_header) {
        change(text);
        return;
    }
    std::istringstream in(text);
    std::string tok;
    if (!(in >> tok)) return;
    if (tok == "$scope") {
        std::string kind, name;
        in >> kind >> name;
        // The model's top scope repeats the last part of its SystemC name: keep one.
        const std::string parent = m_scopes.empty() ? "" : m_scopes.back();
        const std::string last = parent.substr(parent.rfind('.') + 1);
        m_scopes.push_back(name == last ? parent : (parent.empty() ? name : parent + "." + name));
    } else if (tok == "$upscope") {
        m_scopes.pop_back();
    } else if (tok == "$var") {
        std::string type, code, name;
        unsigned width = 1;
        in >> type >> width >> code >> name;
        const std::string path = (m_scopes.empty() ? "" : m_scopes.back() + ".") + name;
        const auto it = m_codes.find(code);
        if (it == m_codes.end()) {
            m_codes[code] = m_fst.declare_var(path, width);
        } else {
            m_fst.declare_var(path, width, it->second);
        }
    } else if (tok == "$enddefinitions") {
        m_header = false;
    }
}

void RtlVcdCapture::change(const std::string& text) {
    if (text.empty() || text[0] == '#') return;  // the time: the FST file samples at the simulation's own
    std::string value, code;
    if (text[0] == 'b') {
        const size_t space = text.find(' ');
        if (space == std::string::npos) return;
        value = text.substr(1, space - 1);
        code = text.substr(space + 1);
    } else {
        value = text.substr(0, 1);
        code = text.substr(1);
    }
    const auto it = m_codes.find(code);
    if (it == m_codes.end()) return;
    for (char& c : value)
        if (c != '1') c = '0';  // Verilator's models are two-state
    m_fst.change(it->second, value);
}

}  // namespace bitcim

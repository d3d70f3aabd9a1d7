#include "tlm/bus_probe.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace bitcim {

BusProbe::BusProbe(const sc_core::sc_module_name& name) : sc_module(name) {
    SC_HAS_PROCESS(BusProbe);
    SC_THREAD(replay);
}

void BusProbe::open_log(const std::string& path) {
    m_log.open(path);
    if (!m_log) throw std::runtime_error("cannot write the bus log " + path);
    m_log << "# time_ns\taddress\ttarget\taccess\tdata\tbytes\tresponse\n";
}

void BusProbe::trace(sc_core::sc_trace_file* tf) {
    m_traced = true;
    for (const auto* s : {&address, &data, &bytes, &accesses}) sc_core::sc_trace(tf, *s, s->name());
    for (const auto* s : {&write, &error}) sc_core::sc_trace(tf, *s, s->name());
}

void BusProbe::record(const tlm::tlm_generic_payload& trans, const sc_core::sc_time& at, const std::string& target) {
    if (!enabled()) return;
    Access a{};
    a.at = at;
    a.address = static_cast<uint32_t>(trans.get_address());
    a.bytes = trans.get_data_length();
    a.write = trans.is_write();
    a.error = !trans.is_response_ok();
    std::memcpy(&a.data, trans.get_data_ptr(), std::min<size_t>(4, a.bytes));
    if (m_log.is_open()) {
        char line[160];
        std::snprintf(line, sizeof line, "%.3f\t0x%08x\t%s\t%s\t0x%08x\t%u\t%s\n", at.to_seconds() * 1e9, a.address,
                      target.c_str(), a.write ? "W" : "R", a.data, a.bytes, trans.get_response_string().c_str());
        m_log << line;
    }
    if (m_traced) {
        m_queue.push_back(a);
        m_new.notify(sc_core::SC_ZERO_TIME);
    }
}

void BusProbe::replay() {
    for (;;) {
        if (m_queue.empty()) wait(m_new);
        while (!m_queue.empty()) {
            const Access a = m_queue.front();
            if (a.at > sc_core::sc_time_stamp()) wait(a.at - sc_core::sc_time_stamp());
            m_queue.pop_front();
            address.write(a.address);
            data.write(a.data);
            bytes.write(a.bytes);
            write.write(a.write);
            error.write(a.error);
            accesses.write(++m_count);
        }
    }
}

}  // namespace bitcim

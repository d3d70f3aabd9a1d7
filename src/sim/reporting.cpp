#include "sim/reporting.h"

#include <iostream>

#include <systemc>

namespace bitcim {

namespace {
void report_to_stderr(const sc_core::sc_report& report, const sc_core::sc_actions& actions) {
    if (actions & sc_core::SC_DISPLAY)
        std::cerr << sc_core::sc_report_compose_message(report) << std::endl;
    sc_core::sc_report_handler::default_handler(report, actions & ~sc_core::SC_DISPLAY);
}
}  // namespace

void configure_systemc_reporting() {
    sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
    sc_core::sc_report_handler::set_handler(report_to_stderr);
}

}  // namespace bitcim

// Keeps stdout for results: SystemC's banner and info reports are silenced,
// warnings and errors go to stderr (errors still stop the simulation).
#pragma once

namespace bitcim {

/// Call first thing in sc_main, before any SystemC object is built.
void configure_systemc_reporting();

}  // namespace bitcim

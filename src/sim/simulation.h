// The one way the project runs the SystemC kernel. Every simulating entry point
// (CLI levels, co-simulation benches, benchmarks) calls simulate() instead of
// sc_core::sc_start(), so what must happen around a kernel run happens everywhere.
#pragma once

#include <systemc>

namespace bitcim {

/// Runs the kernel until no event is left or sc_stop() (sc_start()).
void simulate();
/// Runs the kernel for `duration` (sc_start(duration)); SC_ZERO_TIME ends elaboration.
void simulate(const sc_core::sc_time& duration);

/// Tells AddressSanitizer that this thread runs on its own stack again. SystemC's
/// QuickThreads coroutines announce their switches to ASan in yield() but not
/// when an SC_THREAD returns (sc_cor_qt::abort), so after such a simulation ASan
/// still takes the dead coroutine stack for the main thread's: LeakSanitizer then
/// scans the wrong range at exit (a fault when it was re-mapped, blind to leaks
/// otherwise). simulate() calls this after every kernel run; without ASan it does
/// nothing.
void restore_thread_stack_for_asan();

}  // namespace bitcim

// Proves LeakSanitizer still sees the main thread's stack after a simulation
// (issue #12). An SC_THREAD that returns, as the host initiator's does, leaves
// SystemC's coroutine switch unannounced to ASan; bitcim::simulate() mends that.
//
//   leak_check leak    simulate, then leak 4 KiB: a sanitized build must report it
//   leak_check clean   simulate, leak nothing: a sanitized build must exit 0
//   leak_check leak --raw   the same with a bare sc_start(), to show the defect
#include <cstdio>
#include <cstring>
#include <string>

#include <systemc>

#include "sim/simulation.h"

namespace {

struct ReturningThread : sc_core::sc_module {
    SC_HAS_PROCESS(ReturningThread);
    explicit ReturningThread(const sc_core::sc_module_name& name) : sc_core::sc_module(name) { SC_THREAD(run); }
    void run() { wait(sc_core::sc_time(10, sc_core::SC_NS)); }  // returns: sc_cor_qt::abort
};

char* volatile g_leaked = nullptr;

// Out of line and through a volatile global, so no copy of the pointer stays in
// a register or stack slot of the caller for the conservative scan to find.
__attribute__((noinline)) void leak_once() {
    g_leaked = new char[4096];
    std::memset(g_leaked, 0x5a, 4096);
    g_leaked = nullptr;
}

}  // namespace

int sc_main(int argc, char* argv[]) {
    const std::string mode = argc > 1 ? argv[1] : "";
    const bool raw = argc > 2 && std::string(argv[2]) == "--raw";
    if (mode != "leak" && mode != "clean") {
        std::fprintf(stderr, "usage: leak_check leak|clean [--raw]\n");
        return 2;
    }
    ReturningThread thread("thread");
    if (raw)
        sc_core::sc_start();
    else
        bitcim::simulate();
    if (mode == "leak") leak_once();
    std::printf("leak_check: simulated to %s, %s\n", sc_core::sc_time_stamp().to_string().c_str(),
                mode == "leak" ? "leaked 4096 bytes" : "no leak");
    return 0;
}

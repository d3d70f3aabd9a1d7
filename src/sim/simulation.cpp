#include "sim/simulation.h"

#if defined(__SANITIZE_ADDRESS__)
#define BITCIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BITCIM_ASAN 1
#endif
#endif

#ifdef BITCIM_ASAN
#include <pthread.h>
#include <sanitizer/common_interface_defs.h>

#include <cstdio>
#include <cstdlib>
#endif

namespace bitcim {

void simulate() {
    sc_core::sc_start();
    restore_thread_stack_for_asan();
}

void simulate(const sc_core::sc_time& duration) {
    sc_core::sc_start(duration);
    restore_thread_stack_for_asan();
}

void restore_thread_stack_for_asan() {
#ifdef BITCIM_ASAN
    pthread_attr_t attr;
    void* bottom = nullptr;
    size_t size = 0;
    if (pthread_getattr_np(pthread_self(), &attr) != 0 || pthread_attr_getstack(&attr, &bottom, &size) != 0) {
        std::fputs("bitcim: cannot read this thread's stack bounds for AddressSanitizer\n", stderr);
        std::abort();
    }
    pthread_attr_destroy(&attr);
    // A switch "to" the stack we are already on: ASan records its bounds as the
    // current stack. The fake stack saved by the start call is handed back so a
    // thread whose record was right keeps its own.
    void* fake_stack = nullptr;
    __sanitizer_start_switch_fiber(&fake_stack, bottom, size);
    __sanitizer_finish_switch_fiber(fake_stack, nullptr, nullptr);
#endif
}

}  // namespace bitcim

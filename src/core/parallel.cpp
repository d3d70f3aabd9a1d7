#include "core/parallel.h"

#include <algorithm>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <sched.h>

namespace bitcim::core {

unsigned available_cores() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

void ordered_parallel(size_t count, unsigned threads, const std::function<void(size_t)>& task,
                      const std::function<void(size_t)>& fold) {
    threads = static_cast<unsigned>(std::min<size_t>(std::max(threads, 1u), count));
    if (threads <= 1) {
        for (size_t i = 0; i < count; ++i) task(i), fold(i);
        return;
    }
    std::mutex mutex;
    size_t next = 0;       // the next item to start
    size_t folded = 0;     // items folded so far (0..folded-1)
    bool failed = false;   // no item is started once one failed
    std::vector<char> done(count, 0);
    std::vector<std::exception_ptr> errors(count);
    auto worker = [&]() {
        for (;;) {
            size_t i;
            {
                std::lock_guard<std::mutex> lock(mutex);
                if (failed || next == count) return;
                i = next++;
            }
            std::exception_ptr error;
            try {
                task(i);
            } catch (...) {
                error = std::current_exception();
            }
            std::lock_guard<std::mutex> lock(mutex);
            done[i] = 1;
            if (error) {
                errors[i] = error;
                failed = true;
                continue;
            }
            // Fold every finished item that is next in order (under the lock: one at a time).
            while (!failed && folded < count && done[folded] && !errors[folded]) {
                try {
                    fold(folded);
                } catch (...) {
                    errors[folded] = std::current_exception();
                    failed = true;
                    break;
                }
                ++folded;
            }
        }
    };
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(worker);
    worker();
    for (std::thread& t : pool) t.join();
    for (const std::exception_ptr& e : errors)
        if (e) std::rethrow_exception(e);
}

}  // namespace bitcim::core

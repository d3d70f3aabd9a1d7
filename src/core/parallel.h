// Work split over threads with results that do not depend on the thread count:
// items are numbered, any thread may compute any item, and the items are folded
// into the result one at a time in their own order (D-090).
#pragma once

#include <cstddef>
#include <functional>

namespace bitcim::core {

/// Processors this process may run on (its CPU affinity), at least 1: the default
/// of every --threads option.
unsigned available_cores();

/// Runs task(i) for every i in [0, count) on up to `threads` threads (the calling
/// thread among them; 0 or 1: all on the caller, in order), and fold(i) for every i
/// in increasing order of i, one at a time, each once task(0..i) are done. If a task
/// or fold throws, no further item is started and the exception of the lowest item
/// is rethrown once every running task has returned.
void ordered_parallel(size_t count, unsigned threads, const std::function<void(size_t)>& task,
                      const std::function<void(size_t)>& fold);

}  // namespace bitcim::core

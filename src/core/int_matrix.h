// A dense integer matrix, row-major: weights are rows = outputs, columns = inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bitcim::core {

struct IntMatrix {
    size_t rows = 0;
    size_t cols = 0;
    std::vector<int64_t> data;

    IntMatrix() = default;
    IntMatrix(size_t r, size_t c) : rows(r), cols(c), data(r * c, 0) {}
    int64_t& at(size_t r, size_t c) { return data[r * cols + c]; }
    int64_t at(size_t r, size_t c) const { return data[r * cols + c]; }
};

}  // namespace bitcim::core

// im2col: a convolution becomes MVMs on crossbars whose rows are the
// (input channel, kernel row, kernel column) taps of one output position.
#pragma once

#include <cstdint>
#include <vector>

namespace bitcim::core {

struct ConvGeometry {
    unsigned in_channels = 1;
    unsigned height = 1;
    unsigned width = 1;
    unsigned kernel_h = 1;
    unsigned kernel_w = 1;
    unsigned stride = 1;
    unsigned padding = 0;

    unsigned out_h() const { return (height + 2 * padding - kernel_h) / stride + 1; }
    unsigned out_w() const { return (width + 2 * padding - kernel_w) / stride + 1; }
    unsigned rows() const { return in_channels * kernel_h * kernel_w; }
};

/// Throws InputError if the kernel does not fit the padded input or a field is zero.
void validate(const ConvGeometry& g);

/// One patch per output position (row-major over out_h x out_w), each of
/// rows() values in (channel, kernel row, kernel column) order; padding is zero.
/// `chw` holds in_channels x height x width values.
std::vector<std::vector<uint32_t>> im2col(const std::vector<uint32_t>& chw, const ConvGeometry& g);

}  // namespace bitcim::core

#include "core/adc.h"

namespace bitcim::core {

AdcTransfer AdcTransfer::scaled(unsigned bits, uint64_t full_scale) {
    const uint64_t max_code = (uint64_t{1} << bits) - 1;
    unsigned shift = 0;
    while ((max_code << shift) < full_scale) ++shift;
    return AdcTransfer(bits, shift);
}

}  // namespace bitcim::core

// Digital shift-add: accumulates ADC code values, each shifted by its input
// bit-plane and slice weight, subtracted for the negative polarity.
#pragma once

#include <cstdint>

namespace bitcim {

class ShiftAdd {
public:
    void accumulate(uint64_t value, unsigned shift, bool negative) {
        const int64_t v = static_cast<int64_t>(value << shift);
        m_acc += negative ? -v : v;
        ++m_ops;
    }
    int64_t result() const { return m_acc; }
    uint64_t ops() const { return m_ops; }
    void clear() { m_acc = 0; }

private:
    int64_t m_acc = 0;
    uint64_t m_ops = 0;
};

}  // namespace bitcim

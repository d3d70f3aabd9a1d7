#include "core/number_format.h"

#include <algorithm>
#include <cmath>

#include "core/errors.h"

namespace bitcim::core {

int ceil_log2(double m) {
    int e = 0;
    const double f = std::frexp(m, &e);  // m = f * 2^e, f in [0.5, 1)
    return f == 0.5 ? e - 1 : e;
}

namespace {
double max_abs(const std::vector<float>& w) {
    double m = 0;
    for (float v : w) {
        if (!std::isfinite(v)) throw InputError("quantize: weight is not finite");
        m = std::max(m, std::fabs(static_cast<double>(v)));
    }
    return m;
}
}  // namespace

DfpQuantized quantize_dfp(const std::vector<float>& w, unsigned bits) {
    DfpQuantized q;
    const double m = max_abs(w);
    // An all-zero layer has no dynamic range; any step gives all-zero codes.
    q.step_log2 = (m > 0 ? ceil_log2(m) : 0) - static_cast<int>(bits);
    const double step = std::ldexp(1.0, q.step_log2);
    const int64_t top = (int64_t{1} << bits) - 1;
    q.values.reserve(w.size());
    for (float v : w) {
        const double mag = std::fabs(static_cast<double>(v));
        const int64_t b = std::min(static_cast<int64_t>(std::floor(mag / step)), top);
        q.values.push_back(v < 0 ? -b : b);
    }
    return q;
}

SymQuantized quantize_sym(const std::vector<float>& w, unsigned bits) {
    SymQuantized q;
    const double s = max_abs(w);
    const double levels = static_cast<double>((int64_t{1} << (bits - 1)) - 1);
    q.scale = s > 0 ? s / levels : 1.0;
    q.values.reserve(w.size());
    for (float v : w) {
        const double x = s > 0 ? (static_cast<double>(v) / s) * levels : 0.0;
        const double r = std::floor(std::fabs(x) + 0.5);
        q.values.push_back(static_cast<int64_t>(x < 0 ? -r : r));
    }
    return q;
}

}  // namespace bitcim::core

// Helpers shared by the subcommands.
#include <cmath>
#include <sstream>

#include "app/cli.h"
#include "core/errors.h"

namespace bitcim::cli {

std::vector<double> parse_number_list(const std::string& text, const std::string& option, double lo, double hi) {
    std::vector<double> values;
    std::stringstream ss(text);
    std::string tok;
    auto refuse = [&]() {
        std::ostringstream range;
        if (std::isinf(hi)) {
            range << ">= " << lo;
        } else {
            range << "in " << lo << ".." << hi;
        }
        return InputError(option + " '" + text + "' is not a comma-separated list of numbers " + range.str());
    };
    while (std::getline(ss, tok, ',')) {
        try {
            size_t used = 0;
            const double v = std::stod(tok, &used);
            if (used != tok.size() || !std::isfinite(v) || v < lo || v > hi) throw refuse();
            values.push_back(v);
        } catch (const InputError&) {
            throw;
        } catch (const std::exception&) {
            throw refuse();
        }
    }
    if (values.empty()) throw refuse();
    return values;
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace bitcim::cli

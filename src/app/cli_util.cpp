// Helpers shared by the subcommands.
#include <cmath>
#include <sstream>

#include "app/cli.h"
#include "core/errors.h"
#include "io/dataset.h"

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

void add_dataset_options(CLI::App* cmd, std::string& dataset, std::string& data_dir) {
    cmd->add_option("--dataset", dataset, "data set: fashion-mnist (idx files) or cifar10 (binary batches)")
        ->check(CLI::IsMember(core::dataset_names()))
        ->capture_default_str();
    cmd->add_option("--data-dir", data_dir,
                    "directory of the data set's files (default for fashion-mnist: " +
                        core::default_data_dir(core::DatasetKind::FashionMnist) + "; cifar10 needs it)");
}

std::string resolve_data_dir(const std::string& command, const std::string& dataset, const std::string& data_dir) {
    if (!data_dir.empty()) return data_dir;
    const std::string dir = core::default_data_dir(core::parse_dataset_kind(dataset));
    if (dir.empty()) throw InputError(command + ": --dataset " + dataset + " needs --data-dir (the directory of its files)");
    return dir;
}

std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

}  // namespace bitcim::cli

#include "app/trace_options.h"

#include <cctype>

#include "core/errors.h"

namespace bitcim::cli {

namespace {

size_t parse_index(const std::string& text, const std::string& whole) {
    if (text.empty() || text.size() > 12)
        throw InputError("--trace-images " + whole + ": expected A:B, images A to B-1 (e.g. 0:1)");
    for (char c : text)
        if (!std::isdigit(static_cast<unsigned char>(c)))
            throw InputError("--trace-images " + whole + ": expected A:B, images A to B-1 (e.g. 0:1)");
    return std::stoull(text);
}

}  // namespace

void add_trace_options(CLI::App* cmd, TraceArgs& args) {
    cmd->add_option("--trace", args.path,
                    "waveforms: FILE.fst (one file, SystemC and RTL, with a GTKWave view FILE.gtkw), or FILE.vcd "
                    "(tlm: the chip; cycle: FILE_sc.vcd + FILE_rtl.vcd)");
    cmd->add_option("--trace-images", args.images,
                    "A:B: record images A..B-1 only (0-based; FST traces and the bus log)");
    cmd->add_option("--trace-adcs", args.adcs,
                    "cycle level: the ADCs whose RTL is recorded, by column group as the JSON names the slices "
                    "(e.g. slice3+,slice0-; \"all\"); default every ADC in an FST, the first in a VCD");
    cmd->add_option("--trace-bus", args.bus_log,
                    "tlm level: every bus access at the chip's target socket to FILE.log (time, address, "
                    "register, access, data, bytes, response)");
}

TraceOptions parse_trace_args(const TraceArgs& args, core::LevelKind level) {
    TraceOptions t(args.path);
    t.bus_log = args.bus_log;
    if (!args.bus_log.empty() && level != core::LevelKind::Tlm)
        throw InputError("--trace-bus needs --level tlm (the chip's bus is modelled there)");
    if (!args.adcs.empty()) {
        if (level != core::LevelKind::Cycle) throw InputError("--trace-adcs needs --level cycle (the RTL ADCs)");
        if (!t.enabled()) throw InputError("--trace-adcs needs --trace FILE.fst or FILE.vcd");
        size_t start = 0;
        for (;;) {
            const size_t comma = args.adcs.find(',', start);
            const std::string name = args.adcs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (name.empty()) throw InputError("--trace-adcs " + args.adcs + ": an empty name");
            t.adcs.push_back(name);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    if (!args.images.empty()) {
        const size_t colon = args.images.find(':');
        if (colon == std::string::npos)
            throw InputError("--trace-images " + args.images + ": expected A:B, images A to B-1 (e.g. 0:1)");
        t.first_image = parse_index(args.images.substr(0, colon), args.images);
        t.last_image = parse_index(args.images.substr(colon + 1), args.images);
        if (t.last_image <= t.first_image)
            throw InputError("--trace-images " + args.images + ": B must be above A (images A to B-1)");
        if (t.enabled() && !t.fst())
            throw InputError("--trace-images needs an FST trace (--trace FILE.fst); a VCD records the whole run");
        if (!t.enabled() && t.bus_log.empty()) throw InputError("--trace-images needs --trace FILE.fst or --trace-bus");
    }
    return t;
}

void check_trace_window(const TraceOptions& trace, size_t images) {
    if (trace.windowed() && trace.last_image > images)
        throw InputError("--trace-images " + std::to_string(trace.first_image) + ":" +
                         std::to_string(trace.last_image) + ": the run has " + std::to_string(images) + " images");
}

}  // namespace bitcim::cli

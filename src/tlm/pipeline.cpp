#include "tlm/pipeline.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace bitcim {

namespace {

using sc_core::sc_time;
using sc_core::SC_NS;
using Fifo = sc_core::sc_fifo<size_t>;

std::string safe_name(std::string s) {
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

/// One server of a stage: takes the images dealt to it, holds each for the stage time.
class Server : public sc_core::sc_module {
public:
    Fifo in, out;
    sc_time busy;

    Server(const sc_core::sc_module_name& name, const sc_time& ns, size_t capacity)
        : sc_module(name), in("in", static_cast<int>(capacity)), out("out", static_cast<int>(capacity)), m_ns(ns) {
        SC_HAS_PROCESS(Server);
        SC_THREAD(serve);
    }

private:
    void serve() {
        while (true) {
            size_t image = 0;  // read into an initialized value: sc_fifo::read()'s own temporary warns
            in.read(image);
            wait(m_ns);
            busy += m_ns;
            out.write(image);
        }
    }
    sc_time m_ns;
};

}  // namespace

/// A stage: its servers, and the dispatcher that takes images from the stage before
/// (from its servers in turn, so in image order) and deals them to its own in turn.
class StageModule : public sc_core::sc_module {
public:
    sc_core::sc_vector<Server> servers;
    core::Stage stage;

    StageModule(const sc_core::sc_module_name& name, const core::Stage& s, std::vector<Fifo*> upstream, size_t capacity)
        : sc_module(name),
          servers("server", s.servers,
                  [&s, capacity](const char* n, size_t) { return new Server(n, sc_time(s.ns, SC_NS), capacity); }),
          stage(s),
          m_up(std::move(upstream)) {
        SC_HAS_PROCESS(StageModule);
        SC_THREAD(dispatch);
    }
    std::vector<Fifo*> outputs() {
        std::vector<Fifo*> v;
        for (Server& s : servers) v.push_back(&s.out);
        return v;
    }
    sc_time busy() const {
        sc_time t;
        for (const Server& s : servers) t += s.busy;
        return t;
    }

private:
    void dispatch() {
        for (size_t image = 0;; ++image) servers[image % servers.size()].in.write(m_up[image % m_up.size()]->read());
    }
    std::vector<Fifo*> m_up;
};

ChipPipeline::ChipPipeline(const sc_core::sc_module_name& name, const core::ChipMapping& mapping)
    : sc_module(name), m_mapping(mapping) {
    // Whole turns of every stage's servers repeat the pattern of departures (server
    // counts are powers of two: the mapper doubles copies beyond a layer's vectors).
    unsigned turn = 1;
    for (const auto& round : mapping.stages)
        for (const core::Stage& s : round) turn = std::max(turn, s.servers);
    constexpr size_t kTurns = 16, kWarmup = 64;
    m_images = mapping.rounds > 1 ? mapping.chip.round_images : kTurns * turn + kWarmup;
    for (size_t r = 0; r < mapping.stages.size(); ++r) {
        m_sources.push_back(std::make_unique<Fifo>(("source_" + std::to_string(r)).c_str(), static_cast<int>(m_images)));
        std::vector<Fifo*> up = {m_sources.back().get()};
        m_rounds.emplace_back();
        for (size_t i = 0; i < mapping.stages[r].size(); ++i) {
            const core::Stage& s = mapping.stages[r][i];
            const std::string n = "r" + std::to_string(r) + "_" + std::to_string(i) + "_" + safe_name(s.name);
            m_rounds[r].push_back(std::make_unique<StageModule>(n.c_str(), s, up, m_images));
            up = m_rounds[r].back()->outputs();
        }
    }
    SC_HAS_PROCESS(ChipPipeline);
    SC_THREAD(host);
}

ChipPipeline::~ChipPipeline() = default;

void ChipPipeline::host() {
    const sc_time start = sc_core::sc_time_stamp();
    for (size_t r = 0; r < m_rounds.size(); ++r) {
        // With rounds the weights are written before each round; a chip that holds the
        // whole network is written once, before any image, outside its figures.
        if (m_rounds.size() > 1) wait(sc_time(m_mapping.round_program_ns[r], SC_NS));
        for (size_t i = 0; i < m_images; ++i) m_sources[r]->write(i);
        const std::vector<Fifo*> last = m_rounds[r].back()->outputs();
        m_done.assign(m_images, sc_core::SC_ZERO_TIME);
        for (size_t i = 0; i < m_images; ++i) {
            last[i % last.size()]->read();
            m_done[i] = sc_core::sc_time_stamp() - start;
        }
    }
    m_end = sc_core::sc_time_stamp() - start;
}

core::ChipTiming ChipPipeline::measured() const {
    core::ChipTiming t;
    for (double p : m_mapping.round_program_ns) t.program_ns += p;
    const double images = static_cast<double>(m_images);
    if (m_rounds.size() > 1) {
        t.latency_ns = m_end.to_seconds() * 1e9;  // an image's result comes with its batch
        t.interval_ns = t.latency_ns / images;
    } else {
        unsigned turn = 1;
        for (const auto& s : m_rounds[0]) turn = std::max(turn, s->stage.servers);
        t.latency_ns = m_done.front().to_seconds() * 1e9;
        t.interval_ns = (m_done.back() - m_done[m_images - 1 - turn]).to_seconds() * 1e9 / turn;
    }
    // The bottleneck: the stage whose servers were busiest per server.
    double busiest = -1;
    for (const auto& round : m_rounds)
        for (const auto& s : round) {
            const double per_server = s->busy().to_seconds() / s->stage.servers;
            if (per_server > busiest) busiest = per_server, t.bottleneck = s->stage.name;
        }
    return t;
}

}  // namespace bitcim

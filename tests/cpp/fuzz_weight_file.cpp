// Bounded random-mutation fuzzing of the weight file reader, built with ASan and
// UBSan. Every mutant must be either accepted or refused with InputError: any
// other exception, a crash or a sanitizer report fails the test.
// Usage: fuzz_weight_file CORPUS_DIR [ITERATIONS] [SEED]
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "errors.h"
#include "weight_file.h"

namespace {

using Bytes = std::vector<uint8_t>;

Bytes mutate(const Bytes& seed, std::mt19937_64& rng) {
    Bytes b = seed;
    const int rounds = 1 + static_cast<int>(rng() % 4);
    for (int r = 0; r < rounds; ++r) {
        const size_t pos = b.empty() ? 0 : rng() % b.size();
        switch (rng() % 8) {
            case 0: if (!b.empty()) b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8)); break;
            case 1: if (!b.empty()) b[pos] = static_cast<uint8_t>(rng()); break;
            case 2: b.resize(b.empty() ? 0 : rng() % b.size()); break;
            case 3: b.insert(b.begin() + static_cast<long>(pos), static_cast<uint8_t>(rng())); break;
            case 4: {  // a new header length
                if (b.size() >= 8) {
                    const uint64_t n = (rng() % 2) ? rng() : rng() % (b.size() + 16);
                    std::memcpy(b.data(), &n, 8);
                }
                break;
            }
            case 5: {  // a digit in the header becomes a large number
                for (size_t i = 8; i < std::min<size_t>(b.size(), 4096); ++i) {
                    const size_t j = 8 + (i + pos) % (std::min<size_t>(b.size(), 4096) - 8);
                    if (b[j] >= '0' && b[j] <= '9') {
                        const std::string big = std::to_string(rng());
                        b.erase(b.begin() + static_cast<long>(j));
                        b.insert(b.begin() + static_cast<long>(j), big.begin(), big.end());
                        break;
                    }
                }
                break;
            }
            case 6: if (!b.empty()) b.erase(b.begin() + static_cast<long>(pos)); break;
            case 7: {  // duplicate a chunk
                const size_t len = std::min<size_t>(b.size() - pos, rng() % 64);
                Bytes chunk(b.begin() + static_cast<long>(pos), b.begin() + static_cast<long>(pos + len));
                b.insert(b.begin() + static_cast<long>(rng() % (b.size() + 1)), chunk.begin(), chunk.end());
                break;
            }
        }
    }
    return b;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s CORPUS_DIR [ITERATIONS] [SEED]\n", argv[0]);
        return 2;
    }
    const long iterations = argc > 2 ? std::stol(argv[2]) : 20000;
    std::mt19937_64 rng(argc > 3 ? std::stoull(argv[3]) : 1);
    std::vector<Bytes> seeds;
    for (const auto& entry : std::filesystem::directory_iterator(argv[1])) {
        std::ifstream in(entry.path(), std::ios::binary);
        seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    if (seeds.empty()) {
        std::fprintf(stderr, "no seeds in %s\n", argv[1]);
        return 2;
    }
    long accepted = 0, refused = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < iterations; ++i) {
        const Bytes input = mutate(seeds[rng() % seeds.size()], rng);
        try {
            bitcim::golden::WeightFile::parse(input, "mutant");
            ++accepted;
        } catch (const bitcim::InputError&) {
            ++refused;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "iteration %ld: unexpected %s\n", i, e.what());
            return 1;
        }
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("fuzz_weight_file: %ld mutants, %ld accepted, %ld refused, %.1f s\n", iterations, accepted, refused, s);
    return 0;
}

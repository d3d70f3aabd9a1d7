#include "io/idx.h"

#include <filesystem>

#include <zlib.h>

#include "core/errors.h"

namespace bitcim::core {

namespace {

constexpr uint64_t kMaxIdxBytes = uint64_t{1} << 31;
constexpr unsigned kChunk = 1u << 16;

// gzread reads plain files too, so one path serves both.
std::vector<uint8_t> read_all(const std::string& path) {
    gzFile f = gzopen(path.c_str(), "rb");
    if (!f) throw InputError(path + ": cannot open idx file");
    std::vector<uint8_t> out;
    uint8_t buf[kChunk];
    for (;;) {
        const int n = gzread(f, buf, kChunk);
        if (n < 0) {
            int err = 0;
            const std::string msg = gzerror(f, &err);
            gzclose(f);
            throw InputError(path + ": cannot read: " + msg);
        }
        if (n == 0) break;
        out.insert(out.end(), buf, buf + n);
        if (out.size() > kMaxIdxBytes) {
            gzclose(f);
            throw InputError(path + ": larger than " + std::to_string(kMaxIdxBytes) + " bytes");
        }
    }
    gzclose(f);
    return out;
}

}  // namespace

IdxArray read_idx_u8(const std::string& path) {
    const std::vector<uint8_t> raw = read_all(path);
    if (raw.size() < 4 || raw[0] != 0 || raw[1] != 0) throw InputError(path + ": not an idx file (bad magic)");
    if (raw[2] != 0x08) throw InputError(path + ": idx type 0x" + std::to_string(raw[2]) + " is not unsigned bytes");
    const unsigned ndim = raw[3];
    if (ndim == 0 || raw.size() < 4 + 4 * size_t{ndim}) throw InputError(path + ": truncated idx header");
    IdxArray a;
    uint64_t count = 1;
    for (unsigned d = 0; d < ndim; ++d) {
        const uint8_t* p = &raw[4 + 4 * d];
        const uint32_t dim = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
        a.dims.push_back(dim);
        count *= dim;
        if (count > kMaxIdxBytes) throw InputError(path + ": header dimensions are too large");
    }
    const size_t header = 4 + 4 * size_t{ndim};
    if (raw.size() - header != count)
        throw InputError(path + ": header says " + std::to_string(count) + " bytes of data but " +
                         std::to_string(raw.size() - header) + " follow");
    a.data.assign(raw.begin() + static_cast<long>(header), raw.end());
    return a;
}

Dataset load_idx_dataset(const std::string& dir, const std::string& split) {
    if (split != "train" && split != "test") throw InputError("dataset split must be train or test");
    const std::string prefix = split == "train" ? "train" : "t10k";
    auto find = [&](const std::string& kind) {
        for (const std::string& name : {prefix + "-" + kind + "-ubyte.gz", prefix + "-" + kind + "-ubyte"})
            if (std::filesystem::exists(dir + "/" + name)) return dir + "/" + name;
        throw InputError(dir + ": no " + prefix + "-" + kind + "-ubyte[.gz]");
    };
    const IdxArray images = read_idx_u8(find("images-idx3"));
    const IdxArray labels = read_idx_u8(find("labels-idx1"));
    if (images.dims.size() != 3 || labels.dims.size() != 1 || images.dims[0] != labels.dims[0])
        throw InputError(dir + ": " + split + " images and labels do not match");
    Dataset d;
    d.count = images.dims[0];
    d.rows = images.dims[1];
    d.cols = images.dims[2];
    d.pixels = images.data;
    d.labels = labels.data;
    return d;
}

}  // namespace bitcim::core

#include "io/weight_file.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/lfsr.h"

namespace bitcim::core {

namespace {

using nlohmann::json;

struct DtypeInfo {
    const char* name;
    Dtype dtype;
    unsigned size;
};
constexpr DtypeInfo kDtypes[] = {
    {"I8", Dtype::I8, 1},   {"U8", Dtype::U8, 1},   {"I16", Dtype::I16, 2}, {"U16", Dtype::U16, 2},
    {"I32", Dtype::I32, 4}, {"U32", Dtype::U32, 4}, {"I64", Dtype::I64, 8}, {"U64", Dtype::U64, 8},
    {"F32", Dtype::F32, 4}, {"F64", Dtype::F64, 8}};

unsigned dtype_size(Dtype d) {
    for (const auto& i : kDtypes)
        if (i.dtype == d) return i.size;
    return 0;
}

bool is_integer(Dtype d) { return d != Dtype::F32 && d != Dtype::F64; }

template <typename T>
T read_le(const uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);  // the hosts we build for are little-endian
    return v;
}

}  // namespace

const char* dtype_name(Dtype d) {
    for (const auto& i : kDtypes)
        if (i.dtype == d) return i.name;
    return "?";
}

uint64_t TensorView::elements() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    return n;
}

WeightFile WeightFile::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw InputError(path + ": cannot open weight file");
    const std::streamoff size = in.tellg();
    if (size < 0) throw InputError(path + ": cannot read weight file");
    std::vector<uint8_t> bytes(static_cast<size_t>(size));
    in.seekg(0);
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), size))
        throw InputError(path + ": cannot read weight file");
    return parse(std::move(bytes), path);
}

WeightFile WeightFile::parse(std::vector<uint8_t> bytes, const std::string& source) {
    WeightFile f;
    f.m_source = source;
    f.m_bytes = std::move(bytes);
    if (f.m_bytes.size() < 8)
        throw InputError(source + ": truncated: " + std::to_string(f.m_bytes.size()) +
                         " bytes, a weight file starts with an 8-byte header length");
    const uint64_t header_len = read_le<uint64_t>(f.m_bytes.data());
    const uint64_t after = f.m_bytes.size() - 8;
    if (header_len > kMaxHeaderBytes)
        throw InputError(source + ": header length " + std::to_string(header_len) + " exceeds the " +
                         std::to_string(kMaxHeaderBytes) + "-byte limit");
    if (header_len > after)
        throw InputError(source + ": truncated: header length " + std::to_string(header_len) + " but only " +
                         std::to_string(after) + " bytes follow");
    f.m_data_start = 8 + header_len;
    const std::string header(reinterpret_cast<const char*>(f.m_bytes.data() + 8), header_len);
    f.parse_header(header, after - header_len);
    f.check_consistency();
    return f;
}

void WeightFile::parse_header(const std::string& header, uint64_t buffer_size) {
    const std::string& src = m_source;
    if (header.empty() || header[0] != '{') throw InputError(src + ": header does not start with '{'");
    json h;
    try {
        h = json::parse(header);
    } catch (const json::exception& e) {
        throw InputError(src + ": header is not valid JSON: " + e.what());
    }
    if (!h.is_object()) throw InputError(src + ": header is not a JSON object");

    std::vector<std::pair<uint64_t, uint64_t>> spans;
    for (const auto& item : h.items()) {
        const std::string& name = item.key();
        const json& t = item.value();
        if (name == "__metadata__") {
            if (!t.is_object()) throw InputError(src + ": __metadata__ is not an object");
            for (const auto& m : t.items()) {
                if (!m.value().is_string())
                    throw InputError(src + ": __metadata__[\"" + m.key() + "\"] is not a string");
                m_metadata[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        const std::string where = src + ": tensor \"" + name + "\"";
        if (!t.is_object() || t.size() != 3 || !t.contains("dtype") || !t.contains("shape") ||
            !t.contains("data_offsets"))
            throw InputError(where + " must have exactly dtype, shape and data_offsets");
        TensorView v{};
        const json& dt = t.at("dtype");
        bool known = false;
        for (const auto& i : kDtypes)
            if (dt.is_string() && dt.get<std::string>() == i.name) {
                v.dtype = i.dtype;
                known = true;
            }
        if (!known) throw InputError(where + ": unsupported dtype " + dt.dump());
        const json& shape = t.at("shape");
        if (!shape.is_array()) throw InputError(where + ": shape is not a list");
        uint64_t elements = 1;
        bool overflow = false;
        for (const json& d : shape) {
            if (!d.is_number_unsigned()) throw InputError(where + ": shape entry " + d.dump() + " is not a non-negative integer");
            const uint64_t dim = d.get<uint64_t>();
            v.shape.push_back(dim);
            if (dim != 0 && elements > UINT64_MAX / dim) overflow = true;
            elements *= dim;
        }
        const unsigned esize = dtype_size(v.dtype);
        if (overflow || elements > UINT64_MAX / esize) throw InputError(where + ": shape is too large");
        const json& off = t.at("data_offsets");
        if (!off.is_array() || off.size() != 2 || !off[0].is_number_unsigned() || !off[1].is_number_unsigned())
            throw InputError(where + ": data_offsets must be two non-negative integers");
        v.begin = off[0].get<uint64_t>();
        v.end = off[1].get<uint64_t>();
        if (v.begin > v.end || v.end > buffer_size)
            throw InputError(where + ": data_offsets [" + std::to_string(v.begin) + ", " + std::to_string(v.end) +
                             "] lie outside the " + std::to_string(buffer_size) + "-byte data buffer");
        if (v.end - v.begin != elements * esize)
            throw InputError(where + ": shape x dtype is " + std::to_string(elements * esize) + " bytes but data_offsets span " +
                             std::to_string(v.end - v.begin));
        spans.emplace_back(v.begin, v.end);
        m_tensors.emplace(name, std::move(v));
    }
    std::sort(spans.begin(), spans.end());
    uint64_t covered = 0;
    for (const auto& [b, e] : spans) {
        if (b < covered) throw InputError(src + ": tensors overlap at data offset " + std::to_string(b));
        if (b > covered) throw InputError(src + ": data bytes " + std::to_string(covered) + ".." + std::to_string(b) + " belong to no tensor");
        covered = e;
    }
    if (covered != buffer_size)
        throw InputError(src + ": " + std::to_string(buffer_size - covered) + " trailing bytes belong to no tensor");

    if (m_metadata["format"] != "bitcim") throw InputError(src + ": __metadata__ \"format\" is not \"bitcim\"");
    if (m_metadata["format_version"] != kWeightFormatVersion)
        throw InputError(src + ": format_version \"" + m_metadata["format_version"] + "\" is not supported (this reader knows " +
                         kWeightFormatVersion + ")");
    parse_network(m_metadata["network"]);
}

namespace {

// Typed field readers for the network description; all name the path of the field.
struct Fields {
    const json& j;
    std::string where;

    const json& at(const std::string& key) const {
        if (!j.contains(key)) throw InputError(where + ": missing \"" + key + "\"");
        return j.at(key);
    }
    unsigned uint(const std::string& key, unsigned lo, unsigned hi) const {
        const json& v = at(key);
        if (!v.is_number_unsigned() || v.get<uint64_t>() < lo || v.get<uint64_t>() > hi)
            throw InputError(where + ": \"" + key + "\" must be an integer in " + std::to_string(lo) + ".." + std::to_string(hi));
        return static_cast<unsigned>(v.get<uint64_t>());
    }
    double positive(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_number() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
            throw InputError(where + ": \"" + key + "\" must be a positive number");
        return v.get<double>();
    }
    std::string str(const std::string& key, const std::set<std::string>& choices = {}) const {
        const json& v = at(key);
        if (!v.is_string() || (!choices.empty() && !choices.count(v.get<std::string>())))
            throw InputError(where + ": \"" + key + "\" has an unsupported value " + v.dump());
        return v.get<std::string>();
    }
    std::string optional_str(const std::string& key) const { return j.contains(key) ? str(key) : ""; }
};

constexpr unsigned kMaxDim = 1u << 24;

}  // namespace

void WeightFile::parse_network(const std::string& text) {
    json n;
    try {
        n = json::parse(text);
    } catch (const json::exception& e) {
        throw InputError(m_source + ": __metadata__ \"network\" is not valid JSON: " + e.what());
    }
    if (!n.is_object()) throw InputError(m_source + ": network description is not an object");
    const Fields net{n, m_source + ": network"};
    m_network.name = net.str("name");
    const json& shape = net.at("input_shape");
    if (!shape.is_array() || shape.empty()) throw InputError(net.where + ": \"input_shape\" must be a non-empty list");
    for (const json& d : shape) {
        if (!d.is_number_unsigned() || d.get<uint64_t>() == 0 || d.get<uint64_t>() > kMaxDim)
            throw InputError(net.where + ": \"input_shape\" entries must be positive integers");
        m_network.input_shape.push_back(static_cast<unsigned>(d.get<uint64_t>()));
    }
    m_network.cell_bits = net.uint("cell_bits", 1, 4);
    if (m_network.cell_bits == 3) throw InputError(net.where + ": \"cell_bits\" must be 1, 2 or 4");
    if (n.contains("lfsr")) {
        const Fields l{net.at("lfsr"), net.where + ".lfsr"};
        if (!l.j.is_object()) throw InputError(l.where + " is not an object");
        LfsrParams p{l.uint("width", 0, 64), static_cast<uint32_t>(0), static_cast<uint32_t>(0)};
        const json& taps = l.at("taps");
        const json& seed = l.at("seed");
        if (!taps.is_number_unsigned() || taps.get<uint64_t>() > UINT32_MAX || !seed.is_number_unsigned() ||
            seed.get<uint64_t>() > UINT32_MAX)
            throw InputError(l.where + ": taps and seed must be 32-bit unsigned integers");
        p.taps = static_cast<uint32_t>(taps.get<uint64_t>());
        p.seed = static_cast<uint32_t>(seed.get<uint64_t>());
        try {
            validate(p);
        } catch (const InputError& e) {
            throw InputError(l.where + ": " + e.what());
        }
        m_network.lfsr = LfsrDesc{p.width, p.taps, p.seed};
    }
    const json& layers = net.at("layers");
    if (!layers.is_array() || layers.empty()) throw InputError(net.where + ": \"layers\" must be a non-empty list");
    for (size_t i = 0; i < layers.size(); ++i) {
        const Fields f{layers[i], net.where + ".layers[" + std::to_string(i) + "]"};
        if (!f.j.is_object()) throw InputError(f.where + " is not an object");
        LayerDesc L;
        L.name = f.str("name");
        L.kind = f.str("kind", {"linear", "conv2d"});
        if (L.kind == "linear") {
            L.in_features = f.uint("in_features", 1, kMaxDim);
            L.out_features = f.uint("out_features", 1, kMaxDim);
        } else {
            L.in_channels = f.uint("in_channels", 1, kMaxDim);
            L.out_channels = f.uint("out_channels", 1, kMaxDim);
            const json& k = f.at("kernel");
            if (!k.is_array() || k.size() != 2 || !k[0].is_number_unsigned() || !k[1].is_number_unsigned() ||
                k[0].get<uint64_t>() == 0 || k[1].get<uint64_t>() == 0 || k[0].get<uint64_t>() > 64 ||
                k[1].get<uint64_t>() > 64)
                throw InputError(f.where + ": \"kernel\" must be [kh, kw] with 1..64 each");
            L.kernel_h = static_cast<unsigned>(k[0].get<uint64_t>());
            L.kernel_w = static_cast<unsigned>(k[1].get<uint64_t>());
            L.stride = f.uint("stride", 1, 64);
            L.padding = f.uint("padding", 0, 64);
        }
        L.weight = f.str("weight");
        L.bias = f.optional_str("bias");
        L.column_map = f.optional_str("column_map");
        L.row_mask = f.optional_str("row_mask");
        L.weight_format = f.str("weight_format", {"dfp", "sym"});
        L.weight_bits = f.uint("weight_bits", 2, 16);
        L.sign = f.str("sign", {"differential", "twos"}) == "twos" ? SignMode::Twos : SignMode::Differential;
        L.weight_step = f.positive("weight_step");
        L.input_bits = f.uint("input_bits", 1, 16);
        L.input_scale = f.positive("input_scale");
        L.activation = f.str("activation", {"relu", "none"});
        if (f.j.contains("pool")) {
            const Fields pool{f.at("pool"), f.where + ".pool"};
            if (!pool.j.is_object()) throw InputError(pool.where + " is not an object");
            L.pool = pool.str("kind", {"max", "avg"});
            L.pool_kernel = pool.uint("kernel", 1, 64);
            L.pool_stride = pool.uint("stride", 1, 64);
        }
        m_network.layers.push_back(std::move(L));
    }
}

void WeightFile::check_consistency() const {
    std::set<std::string> names;
    const LayerDesc* prev = nullptr;
    for (const LayerDesc& L : m_network.layers) {
        const std::string where = m_source + ": layer \"" + L.name + "\"";
        if (!names.insert(L.name).second) throw InputError(where + " appears twice");
        auto expect = [&](const std::string& tensor, const std::vector<uint64_t>& shape, const std::set<Dtype>& dtypes,
                          const char* what) -> const TensorView& {
            const auto it = m_tensors.find(tensor);
            if (it == m_tensors.end()) throw InputError(where + ": " + what + " tensor \"" + tensor + "\" is not in the file");
            if (!dtypes.count(it->second.dtype))
                throw InputError(where + ": " + what + " tensor \"" + tensor + "\" has dtype " + dtype_name(it->second.dtype));
            if (it->second.shape != shape) {
                std::string s;
                for (uint64_t d : shape) s += (s.empty() ? "" : ", ") + std::to_string(d);
                throw InputError(where + ": " + what + " tensor \"" + tensor + "\" does not have shape [" + s + "]");
            }
            return it->second;
        };
        const std::vector<uint64_t> wshape =
            L.kind == "linear" ? std::vector<uint64_t>{L.out_features, L.in_features}
                               : std::vector<uint64_t>{L.out_channels, L.in_channels, L.kernel_h, L.kernel_w};
        expect(L.weight, wshape, {Dtype::I8, Dtype::I16, Dtype::I32}, "weight");
        HwConfig fmt;
        fmt.weight_bits = L.weight_bits;
        fmt.sign = L.sign;
        const auto values = ints(L.weight);
        for (size_t i = 0; i < values.size(); ++i)
            if (values[i] < fmt.weight_min() || values[i] > fmt.weight_max())
                throw InputError(where + ": weight " + std::to_string(values[i]) + " at flat index " + std::to_string(i) +
                                 " is outside " + std::to_string(fmt.weight_min()) + ".." + std::to_string(fmt.weight_max()));
        if (!L.bias.empty()) expect(L.bias, {L.outputs()}, {Dtype::F32}, "bias");
        if (!L.row_mask.empty()) expect(L.row_mask, {L.rows()}, {Dtype::U8}, "row_mask");
        if (!L.column_map.empty()) {
            expect(L.column_map, {L.outputs()}, {Dtype::I32}, "column_map");
            auto perm = ints(L.column_map);
            std::sort(perm.begin(), perm.end());
            for (size_t i = 0; i < perm.size(); ++i)
                if (perm[i] != static_cast<int64_t>(i))
                    throw InputError(where + ": column_map is not a permutation of 0.." + std::to_string(perm.size() - 1));
        }
        if (prev && prev->kind == "linear" && L.kind == "linear" && prev->out_features != L.in_features)
            throw InputError(where + ": in_features " + std::to_string(L.in_features) + " does not match the " +
                             std::to_string(prev->out_features) + " outputs of layer \"" + prev->name + "\"");
        prev = &L;
    }
}

const TensorView& WeightFile::tensor(const std::string& name) const {
    const auto it = m_tensors.find(name);
    if (it == m_tensors.end()) throw InputError(m_source + ": no tensor \"" + name + "\"");
    return it->second;
}

std::vector<int64_t> WeightFile::ints(const std::string& name) const {
    const TensorView& t = tensor(name);
    if (!is_integer(t.dtype)) throw InputError(m_source + ": tensor \"" + name + "\" is not an integer tensor");
    const unsigned es = dtype_size(t.dtype);
    const uint8_t* p = m_bytes.data() + m_data_start + t.begin;
    std::vector<int64_t> out(t.elements());
    for (size_t i = 0; i < out.size(); ++i, p += es) {
        switch (t.dtype) {
            case Dtype::I8: out[i] = read_le<int8_t>(p); break;
            case Dtype::U8: out[i] = read_le<uint8_t>(p); break;
            case Dtype::I16: out[i] = read_le<int16_t>(p); break;
            case Dtype::U16: out[i] = read_le<uint16_t>(p); break;
            case Dtype::I32: out[i] = read_le<int32_t>(p); break;
            case Dtype::U32: out[i] = read_le<uint32_t>(p); break;
            case Dtype::I64: out[i] = read_le<int64_t>(p); break;
            case Dtype::U64: {
                const uint64_t v = read_le<uint64_t>(p);
                if (v > static_cast<uint64_t>(INT64_MAX))
                    throw InputError(m_source + ": tensor \"" + name + "\" holds a U64 value beyond the signed range");
                out[i] = static_cast<int64_t>(v);
                break;
            }
            default: break;
        }
    }
    return out;
}

std::vector<double> WeightFile::floats(const std::string& name) const {
    const TensorView& t = tensor(name);
    if (is_integer(t.dtype)) throw InputError(m_source + ": tensor \"" + name + "\" is not a floating-point tensor");
    const uint8_t* p = m_bytes.data() + m_data_start + t.begin;
    std::vector<double> out(t.elements());
    for (size_t i = 0; i < out.size(); ++i)
        out[i] = t.dtype == Dtype::F32 ? read_le<float>(p + 4 * i) : read_le<double>(p + 8 * i);
    return out;
}

IntMatrix WeightFile::layer_weights(const LayerDesc& layer) const {
    const auto values = ints(layer.weight);
    IntMatrix m(layer.outputs(), layer.rows());
    if (values.size() != m.data.size()) throw InputError(m_source + ": layer \"" + layer.name + "\" weight size mismatch");
    std::copy(values.begin(), values.end(), m.data.begin());  // [out][in][kh][kw] is already im2col order
    return m;
}

}  // namespace bitcim::core

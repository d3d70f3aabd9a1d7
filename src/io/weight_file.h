// Reader of bitcim weight files (weights/FORMAT.md, version 1): the safetensors
// layout with the network description in __metadata__. Everything is validated;
// any malformed, truncated, oversized or inconsistent file throws InputError.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/hw_config.h"
#include "core/int_matrix.h"

namespace bitcim::core {

inline constexpr const char* kWeightFormatVersion = "1";
inline constexpr uint64_t kMaxHeaderBytes = uint64_t{100} << 20;

enum class Dtype { I8, U8, I16, U16, I32, U32, I64, U64, F32, F64 };

struct TensorView {
    Dtype dtype;
    std::vector<uint64_t> shape;
    uint64_t begin = 0;  ///< offset in the data buffer
    uint64_t end = 0;
    uint64_t elements() const;
};

struct LfsrDesc {
    unsigned width = 0;
    uint32_t taps = 0;
    uint32_t seed = 0;
};

struct LayerDesc {
    std::string name;
    std::string kind;  ///< "linear" or "conv2d"
    unsigned in_features = 0, out_features = 0;                 // linear
    unsigned in_channels = 0, out_channels = 0;                 // conv2d
    unsigned kernel_h = 0, kernel_w = 0, stride = 1, padding = 0;
    std::string weight, bias, column_map, row_mask;             ///< tensor names ("" = none)
    std::string weight_format;  ///< "dfp" or "sym"
    unsigned weight_bits = 8;
    SignMode sign = SignMode::Differential;
    double weight_step = 0;
    unsigned input_bits = 8;
    double input_scale = 0;
    std::string activation;  ///< "relu" or "none"
    std::string pool;        ///< "" (none), "max" or "avg", after the activation
    unsigned pool_kernel = 0, pool_stride = 0;

    unsigned rows() const { return kind == "linear" ? in_features : in_channels * kernel_h * kernel_w; }
    unsigned outputs() const { return kind == "linear" ? out_features : out_channels; }
};

struct NetworkDesc {
    std::string name;
    std::vector<unsigned> input_shape;
    unsigned cell_bits = 2;
    std::optional<LfsrDesc> lfsr;
    std::vector<LayerDesc> layers;
};

class WeightFile {
public:
    static WeightFile load(const std::string& path);
    /// Parses a whole file image; `source` names it in errors.
    static WeightFile parse(std::vector<uint8_t> bytes, const std::string& source);

    const NetworkDesc& network() const { return m_network; }
    const std::map<std::string, TensorView>& tensors() const { return m_tensors; }
    const TensorView& tensor(const std::string& name) const;
    /// An integer tensor's values, widened.
    std::vector<int64_t> ints(const std::string& name) const;
    /// A floating-point tensor's values.
    std::vector<double> floats(const std::string& name) const;
    /// A layer's weights: rows = outputs, columns = crossbar rows (im2col order
    /// for conv2d: input channel, then kernel row, then kernel column).
    IntMatrix layer_weights(const LayerDesc& layer) const;

private:
    WeightFile() = default;
    void parse_header(const std::string& header, uint64_t buffer_size);
    void parse_network(const std::string& text);
    void check_consistency() const;

    std::string m_source;
    std::vector<uint8_t> m_bytes;
    uint64_t m_data_start = 0;
    std::map<std::string, TensorView> m_tensors;
    std::map<std::string, std::string> m_metadata;
    NetworkDesc m_network;
};

const char* dtype_name(Dtype d);

}  // namespace bitcim::core

// Configurations for the golden tests: a builder for the small crossbars they use, and
// the message parse_hw_config gives for a configuration.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/errors.h"
#include "core/hw_config.h"

namespace bitcim::test {

/// A configuration of `xbar_rows` x `xbar_cols` crossbars, every ADC group at `adc_bits`,
/// one ADC per `xbar_cols` columns unless `columns_per_adc` says otherwise.
inline core::HwConfig make_config(unsigned weight_bits, unsigned cell_bits, unsigned input_bits, unsigned dac_bits,
                                    unsigned xbar_rows, unsigned parallel_rows, core::SignMode sign,
                                    core::Composition comp, core::AdcMode mode, unsigned adc_bits,
                                    unsigned xbar_cols = 8, unsigned columns_per_adc = 0) {
    core::HwConfig c;
    c.weight_bits = weight_bits;
    c.cell_bits = cell_bits;
    c.input_bits = input_bits;
    c.dac_bits = dac_bits;
    c.xbar_rows = xbar_rows;
    c.xbar_cols = xbar_cols;
    c.columns_per_adc = columns_per_adc ? columns_per_adc : xbar_cols;
    c.parallel_rows = parallel_rows;
    c.sign = sign;
    c.composition = comp;
    c.adc_mode = mode;
    c.adc_bits.assign(c.num_adc_groups(), adc_bits);
    return c;
}

/// The message parse_hw_config gives for a configuration, "" when it accepts it.
inline std::string config_error_of(const nlohmann::json& j) {
    try {
        core::parse_hw_config(j, "cfg.json");
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace bitcim::test

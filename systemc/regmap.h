// The chip's memory map: registers and memory windows. The one definition of
// every offset and bit field; the Chip, the host initiator, the tests and the
// Python side (through `bitcim regmap --json`) all read it from here.
#pragma once

#include <cstdint>

namespace bitcim::regmap {

// ---- registers: 32-bit, little-endian, at the base of the map --------------
enum Reg : uint64_t {
    ID = 0x000,           ///< RO: kIdValue
    CTRL = 0x004,         ///< WO: CTRL_* commands, self-clearing
    STATUS = 0x008,       ///< RO: STATUS_* flags
    IRQ_ENABLE = 0x00C,   ///< RW: IRQ_* bits that raise the interrupt line
    IRQ_STATUS = 0x010,   ///< RW1C: IRQ_* events
    ERROR_CODE = 0x014,   ///< RO: an Error value, set with STATUS_ERROR
    LAYER_INPUTS = 0x020,   ///< RW: K, crossbar rows of the layer
    LAYER_OUTPUTS = 0x024,  ///< RW: M, outputs of the layer
    BATCH = 0x028,          ///< RW: input vectors per START
    LAYER_ID = 0x02C,       ///< RW: a tag shown on the waveform while the layer runs
    LFSR_WIDTH = 0x030,     ///< RW: LFSR index generator width
    LFSR_TAPS = 0x034,      ///< RW: Galois tap mask
    LFSR_SEED = 0x038,      ///< RW: seed
    ADC_BITS_BASE = 0x040,  ///< RW: ADC resolution of ADC group k (MSB slice first) at +4k
    SATURATIONS_BASE = 0x080,  ///< RO: saturations of ADC group k since the last clear, 64 bits at +8k (lo, hi)
    CONVERSIONS_BASE = 0x0C0,  ///< RO: conversions of ADC group k since the last clear, 64 bits at +8k
    CYCLES_LO = 0x100,         ///< RO: busy time of the last run in ns, 64 bits
    CYCLES_HI = 0x104,
};

inline constexpr unsigned kMaxAdcGroups = 16;
inline constexpr uint64_t kRegisterSpan = 0x1000;
inline constexpr uint32_t kIdValue = 0xB17C1A01;

enum CtrlBits : uint32_t {
    CTRL_PROGRAM = 1u << 0,      ///< map the weight window onto the crossbars
    CTRL_START = 1u << 1,        ///< run BATCH input vectors through the programmed layer
    CTRL_CLEAR_COUNTERS = 1u << 2,
};

enum StatusBits : uint32_t {
    STATUS_BUSY = 1u << 0,
    STATUS_PROGRAMMED = 1u << 1,
    STATUS_DONE = 1u << 2,
    STATUS_ERROR = 1u << 3,
};

enum IrqBits : uint32_t {
    IRQ_DONE = 1u << 0,
    IRQ_ERROR = 1u << 1,
};

enum Error : uint32_t {
    ERR_NONE = 0,
    ERR_LAYER_TOO_LARGE = 1,    ///< the layer needs more PEs than the chip has
    ERR_WEIGHT_RANGE = 2,       ///< a weight is outside the configured format
    ERR_INPUT_RANGE = 3,        ///< an input is outside input_bits
    ERR_NOT_PROGRAMMED = 4,     ///< START before a successful PROGRAM
    ERR_BAD_ADC_BITS = 5,       ///< an ADC resolution of 0 or above the built one
    ERR_BATCH_TOO_LARGE = 6,    ///< BATCH x inputs or outputs exceed a buffer window
    ERR_BUSY = 7,               ///< a command while the chip is busy
    ERR_BAD_SHAPE = 8,          ///< zero inputs or outputs
};

// ---- memory windows ---------------------------------------------------------
inline constexpr uint64_t WEIGHTS_BASE = 0x1000'0000;  ///< int16 weights, [output][input]
inline constexpr uint64_t INPUTS_BASE = 0x2000'0000;   ///< uint16 inputs, [vector][input]
inline constexpr uint64_t OUTPUTS_BASE = 0x3000'0000;  ///< RO: int64 outputs, [vector][output]
inline constexpr uint64_t kWindowSpan = 0x1000'0000;
inline constexpr unsigned kWeightBytes = 2;
inline constexpr unsigned kInputBytes = 2;
inline constexpr unsigned kOutputBytes = 8;

}  // namespace bitcim::regmap

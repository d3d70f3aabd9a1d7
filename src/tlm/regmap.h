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
    NOISE_EPOCH_LO = 0x108,    ///< RW: noise-stream index of the next START's first vector, 64 bits
    NOISE_EPOCH_HI = 0x10C,
};

/// The fixed registers, as the chip creates them and `bitcim regmap` prints them.
/// Arrays (ADC_BITS, SATURATIONS, CONVERSIONS) repeat per ADC group and are listed
/// once with their stride.
struct RegisterSpec {
    const char* name;
    uint64_t offset;
    const char* access;  ///< "ro", "rw", "wo" or "rw1c"
    uint32_t reset;
    unsigned stride;     ///< bytes between array elements; 0 for a single register
    const char* doc;
};

inline constexpr RegisterSpec kRegisterTable[] = {
    {"ID", ID, "ro", 0xB17C1A01, 0, "identification, kIdValue"},
    {"CTRL", CTRL, "wo", 0, 0, "commands: bit 0 PROGRAM, bit 1 START, bit 2 CLEAR_COUNTERS"},
    {"STATUS", STATUS, "ro", 0, 0, "bit 0 BUSY, bit 1 PROGRAMMED, bit 2 DONE, bit 3 ERROR"},
    {"IRQ_ENABLE", IRQ_ENABLE, "rw", 0, 0, "bit 0 DONE, bit 1 ERROR raise the irq line"},
    {"IRQ_STATUS", IRQ_STATUS, "rw1c", 0, 0, "pending interrupt events, write 1 to clear"},
    {"ERROR_CODE", ERROR_CODE, "ro", 0, 0, "why STATUS.ERROR is set (regmap::Error)"},
    {"LAYER_INPUTS", LAYER_INPUTS, "rw", 0, 0, "K: inputs (crossbar rows) of the layer"},
    {"LAYER_OUTPUTS", LAYER_OUTPUTS, "rw", 0, 0, "M: outputs of the layer"},
    {"BATCH", BATCH, "rw", 1, 0, "input vectors per START"},
    {"LAYER_ID", LAYER_ID, "rw", 0, 0, "tag shown on the waveform while the layer runs"},
    {"LFSR_WIDTH", LFSR_WIDTH, "rw", 16, 0, "LFSR index generator width"},
    {"LFSR_TAPS", LFSR_TAPS, "rw", 0xB400, 0, "LFSR Galois tap mask"},
    {"LFSR_SEED", LFSR_SEED, "rw", 1, 0, "LFSR seed"},
    {"ADC_BITS", ADC_BITS_BASE, "rw", 0, 4, "run-time ADC resolution per ADC group, MSB slice first (reset: as built)"},
    {"SATURATIONS", SATURATIONS_BASE, "ro", 0, 8, "64-bit saturation count per ADC group (lo, hi)"},
    {"CONVERSIONS", CONVERSIONS_BASE, "ro", 0, 8, "64-bit conversion count per ADC group (lo, hi)"},
    {"BUSY_NS_LO", CYCLES_LO, "ro", 0, 0, "busy time of the runs since the last clear, ns, low word"},
    {"BUSY_NS_HI", CYCLES_HI, "ro", 0, 0, "high word"},
    {"NOISE_EPOCH_LO", NOISE_EPOCH_LO, "rw", 0, 0,
     "model only: index of the next START's first input vector in the layer's ADC-noise stream, low word; "
     "advances by BATCH per run"},
    {"NOISE_EPOCH_HI", NOISE_EPOCH_HI, "rw", 0, 0, "high word"},
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

struct ErrorSpec {
    const char* name;
    uint32_t value;
    const char* doc;
};

inline constexpr ErrorSpec kErrorTable[] = {
    {"NONE", ERR_NONE, "no error"},
    {"LAYER_TOO_LARGE", ERR_LAYER_TOO_LARGE, "the layer needs more PEs (or weight window) than the chip has"},
    {"WEIGHT_RANGE", ERR_WEIGHT_RANGE, "a weight is outside the configured format"},
    {"INPUT_RANGE", ERR_INPUT_RANGE, "an input is outside input_bits"},
    {"NOT_PROGRAMMED", ERR_NOT_PROGRAMMED, "START before a successful PROGRAM"},
    {"BAD_ADC_BITS", ERR_BAD_ADC_BITS, "an ADC resolution of 0 or above the built one"},
    {"BATCH_TOO_LARGE", ERR_BATCH_TOO_LARGE, "BATCH x inputs or outputs exceed a buffer window"},
    {"BUSY", ERR_BUSY, "a command while the chip is busy (the running job goes on)"},
    {"BAD_SHAPE", ERR_BAD_SHAPE, "zero inputs or outputs"},
};

// ---- memory windows ---------------------------------------------------------
inline constexpr uint64_t WEIGHTS_BASE = 0x1000'0000;  ///< int16 weights, [output][input]
inline constexpr uint64_t INPUTS_BASE = 0x2000'0000;   ///< uint16 inputs, [vector][input]
inline constexpr uint64_t OUTPUTS_BASE = 0x3000'0000;  ///< RO: int64 outputs, [vector][output]
inline constexpr uint64_t kWindowSpan = 0x1000'0000;
inline constexpr unsigned kWeightBytes = 2;
inline constexpr unsigned kInputBytes = 2;
inline constexpr unsigned kOutputBytes = 8;

struct WindowSpec {
    const char* name;
    uint64_t base;
    const char* access;
    unsigned element_bytes;
    const char* doc;
};

inline constexpr WindowSpec kWindowTable[] = {
    {"WEIGHTS", WEIGHTS_BASE, "rw", kWeightBytes, "int16 weights, [output][input], read by PROGRAM"},
    {"INPUTS", INPUTS_BASE, "rw", kInputBytes, "uint16 inputs, [vector][input], read by START"},
    {"OUTPUTS", OUTPUTS_BASE, "ro", kOutputBytes, "int64 outputs, [vector][output], written by START"},
};

}  // namespace bitcim::regmap

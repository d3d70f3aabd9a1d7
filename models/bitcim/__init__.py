"""bitcim training library: bit-sparse quantized networks for the ReRAM CIM model."""

__version__ = "0.1.0"

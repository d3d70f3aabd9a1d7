"""The hardware's arithmetic, bit-exact with the C++ golden model: the configuration
(config, validate), number formats (quant), the LFSR index generator (lfsr), crossbars
and ADCs (crossbar), the digital periphery (periphery) and whole networks (network)."""

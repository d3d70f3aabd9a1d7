"""Galois LFSR index generator: the Python twin of the C++ lfsr.h and rtl/lfsr_index_gen.v.

The state sequence is the one definition shared by the training library (which
prunes with it) and the hardware (which regenerates the pruning pattern from it).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List

LFSR_MIN_WIDTH = 2
LFSR_MAX_WIDTH = 32

# Maximal-length tap masks for the right-shifting Galois form, by width (each
# checked to have period 2^w - 1: widths <= 20 in the tests, 21..32 once by brute force).
PRIMITIVE_TAPS = {
    2: 0x3, 3: 0x6, 4: 0xC, 5: 0x14, 6: 0x30, 7: 0x60, 8: 0xB8, 9: 0x110, 10: 0x240, 11: 0x500,
    12: 0xE08, 13: 0x1C80, 14: 0x3802, 15: 0x6000, 16: 0xB400, 17: 0x12000, 18: 0x20400, 19: 0x72000,
    20: 0x90000, 21: 0x140000, 22: 0x300000, 23: 0x420000, 24: 0xE10000, 25: 0x1200000, 26: 0x2000023,
    27: 0x4000013, 28: 0x9000000, 29: 0x14000000, 30: 0x20000029, 31: 0x48000000, 32: 0x80200003,
}


def lfsr_next(state: int, taps: int) -> int:
    """One step, shifting right: next = (s >> 1) ^ (s[0] ? taps : 0)."""
    return (state >> 1) ^ (taps if state & 1 else 0)


@dataclass(frozen=True)
class LfsrParams:
    """Width, Galois tap mask and non-zero seed of an LFSR."""

    width: int = 16
    taps: int = 0xB400
    seed: int = 0x1

    def __post_init__(self) -> None:
        if not LFSR_MIN_WIDTH <= self.width <= LFSR_MAX_WIDTH:
            raise ValueError(
                f"lfsr: width {self.width} is outside {LFSR_MIN_WIDTH}..{LFSR_MAX_WIDTH}")
        if self.taps == 0:
            raise ValueError("lfsr: taps 0x0 is empty: the LFSR would only shift to zero")
        if not 0 < self.taps < (1 << self.width):
            raise ValueError(f"lfsr: taps {self.taps:#x} are wider than width {self.width}")
        if self.seed == 0:
            raise ValueError("lfsr: seed 0x0 is the all-zero lock-up state")
        if not 0 < self.seed < (1 << self.width):
            raise ValueError(f"lfsr: seed {self.seed:#x} is wider than width {self.width}")


def lfsr_states(params: LfsrParams) -> Iterator[int]:
    """Yields the state after each step, forever (the seed itself is not yielded)."""
    state = params.seed
    while True:
        state = lfsr_next(state, params.taps)
        yield state


def lfsr_sequence(params: LfsrParams, count: int) -> List[int]:
    """The states after each of `count` steps."""
    states = lfsr_states(params)
    return [next(states) for _ in range(count)]


def lfsr_period(params: LfsrParams) -> int:
    """Steps until the state returns to the seed; 0 if not within 2**width steps."""
    for n, state in enumerate(lfsr_states(params), start=1):
        if state == params.seed:
            return n
        if n >= (1 << params.width):
            return 0
    return 0  # unreachable: the generator is infinite


def lfsr_for_positions(n: int, seed: int = 1, min_width: int = 16) -> LfsrParams:
    """A maximal-length LFSR wide enough to index n positions with lfsr_indices:
    one bit wider than the index, so every candidate value occurs in one period."""
    width = max(min_width, max(1, (n - 1).bit_length()) + 1)
    if width > LFSR_MAX_WIDTH:
        raise ValueError(f"lfsr: {n} positions need more than a {LFSR_MAX_WIDTH}-bit LFSR")
    return LfsrParams(width, PRIMITIVE_TAPS[width], (seed - 1) % ((1 << width) - 1) + 1)


def lfsr_indices(params: LfsrParams, n: int, count: int) -> List[int]:
    """The LFSR index-derivation rule: which `count` of `n` positions are chosen.

    Walk the LFSR's states (after each step). Each state's low b bits, with b the
    fewest bits that can number n positions, are a candidate index; a candidate
    is taken if it is below n and not taken yet. Stops after `count` indices.
    The same rule is the C++ lfsr.h `lfsr_indices` and the RTL's index stream;
    hardware regenerates a pruning pattern from (width, taps, seed, n, count).

    Raises:
        ValueError: count > n, or the LFSR cannot reach `count` distinct indices
            within one period (2**width steps).
    """
    if not 0 <= count <= n:
        raise ValueError(f"lfsr_indices: cannot choose {count} of {n} positions")
    bits = max(1, (n - 1).bit_length())
    mask = (1 << bits) - 1
    taken: List[int] = []
    seen = set()
    states = lfsr_states(params)
    for _ in range(1 << params.width):
        if len(taken) == count:
            return taken
        idx = next(states) & mask
        if idx < n and idx not in seen:
            seen.add(idx)
            taken.append(idx)
    if len(taken) == count:
        return taken
    raise ValueError(f"lfsr_indices: width-{params.width} LFSR reached only {len(taken)} of {count} "
                     f"distinct indices below {n} in one period")

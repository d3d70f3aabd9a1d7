"""Waveforms (#20): one FST file of SystemC signals and every ADC's RTL, read back through
fstapi's reader (the fst_dump helper built beside bitcim), its GTKWave save file, the window
of images and the bus log of the tlm level."""
import json
import re
import subprocess
from pathlib import Path

import numpy as np
import pytest

from helpers import write_csv

WEIGHTS = Path(__file__).resolve().parents[2] / "weights" / "mlp_bitsparse.safetensors"


def bitcim(bitcim_bin, *args, timeout=600):
    return subprocess.run([str(bitcim_bin), *map(str, args)], capture_output=True, text=True, timeout=timeout)


class Fst:
    """An FST file as fst_dump prints it: variables by path, changes by handle."""

    def __init__(self, bitcim_bin, path):
        dump = Path(bitcim_bin).parent / "fst_dump"
        res = subprocess.run([str(dump), str(path)], capture_output=True, text=True, timeout=300, check=True)
        self.vars, self.changes = {}, {}
        for line in res.stdout.splitlines():
            parts = line.split()
            if parts[0] in ("timescale", "start", "end"):
                setattr(self, parts[0], int(parts[1]))
            elif parts[0] == "var":
                self.vars[parts[3]] = (int(parts[1]), int(parts[2]))
            else:
                self.changes.setdefault(int(parts[1]), []).append((int(parts[0]), int(parts[2], 2)))

    def wave(self, path):
        """[(time, value)] of the variable at `path`, in time order."""
        return self.changes.get(self.vars[path][0], [])

    def rises(self, path):
        w = self.wave(path)
        return [t for (t, v), (_, before) in zip(w[1:], w) if v and not before]


def mvm_layer(tmp_path):
    rng = np.random.default_rng(0)
    w = rng.integers(-127, 128, size=(8, 20))
    x = rng.integers(0, 256, size=(1, 20))
    (tmp_path / "cfg.json").write_text(json.dumps({"xbar_rows": 32, "xbar_cols": 32, "adc_bits": [1, 3, 3, 3],
                                                  "parallel_rows": 16, "columns_per_adc": 32}))
    return ["--matrix", write_csv(tmp_path / "W.csv", w), "--input", write_csv(tmp_path / "x.csv", x),
            "--config", tmp_path / "cfg.json"]


@pytest.fixture(scope="module")
def cycle_fst(bitcim_bin, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cycle")
    res = bitcim(bitcim_bin, "mvm", *mvm_layer(tmp), "--level", "cycle", "--trace", tmp / "pe.fst")
    assert res.returncode == 0, res.stderr
    assert "pe.gtkw" in res.stderr
    return tmp / "pe.fst", Fst(bitcim_bin, tmp / "pe.fst")


def test_fst_holds_systemc_signals_and_the_msb_adc_rtl_side_by_side(cycle_fst):
    _, fst = cycle_fst
    assert fst.timescale == -12
    # ADCs named by slice and polarity as the JSON names them, the bit-plane in hardware words.
    assert {"system.pe.input_bit_plane", "system.pe.slice3+.code", "system.pe.slice0-.code"} <= fst.vars.keys()
    assert not any(re.search(r"\.adc_\d", p) or p.endswith(".chunk") for p in fst.vars)
    # A conversion of the 1-bit MSB slice: the PE's start (SystemC) and the RTL's busy_q, done_q.
    # The trace samples each time step's end: the RTL takes start at that step's clock edge.
    period = 97  # ps, sar_bit_time_ns 0.09765625 in whole ps (the half periods are 49 + 49)
    start = fst.rises("system.pe.slice3+.start")[0]
    busy = [t for t in fst.rises("system.pe.slice3+.sar_adc_ctrl.busy_q") if t >= start][0]
    done_rtl = [t for t in fst.rises("system.pe.slice3+.sar_adc_ctrl.done_q") if t > start][0]
    done_sc = [t for t in fst.rises("system.pe.slice3+.done") if t > start][0]
    assert start == busy and done_rtl == done_sc and period <= done_rtl - start <= period + 1  # 1 bit: 1 cycle
    # A 3-bit slice's RTL decides its bits MSB first: idx_q 2, 1, 0 in one conversion, 3 cycles.
    start = fst.rises("system.pe.slice2+.start")[0]
    idx = [(t, v) for t, v in fst.wave("system.pe.slice2+.sar_adc_ctrl.idx_q") if t >= start][:3]
    assert [v for _, v in idx] == [2, 1, 0]
    done = [t for t in fst.rises("system.pe.slice2+.sar_adc_ctrl.done_q") if t > start][0]
    assert 3 * period <= done - start <= 3 * period + 3


def test_gtkwave_save_file_names_signals_of_the_trace_grouped_in_decimal(cycle_fst):
    path, fst = cycle_fst
    lines = path.with_suffix(".gtkw").read_text().splitlines()
    assert f'[dumpfile] "{path}"' in lines
    signals = [l for l in lines if l and l[0] not in "@-[*"]
    names = {re.sub(r"\[\d+:0\]$", "", s) for s in signals}
    assert names and names <= fst.vars.keys()
    assert len(names) == len(fst.vars)
    for group in ("-pe", "-pe.slice3+", "-pe.slice3+.sar_adc_ctrl", "-pe.slice0-.sar_adc_ctrl"):
        assert lines.count(group) == 2, group  # the group's begin and end
    assert lines[lines.index("system.pe.slice3+.code[31:0]") - 1] == "@24"  # decimal


def test_vcd_stays_two_files_with_the_same_names(bitcim_bin, tmp_path):
    res = bitcim(bitcim_bin, "mvm", *mvm_layer(tmp_path), "--level", "cycle", "--trace", tmp_path / "pe.vcd")
    assert res.returncode == 0, res.stderr
    sc = (tmp_path / "pe_sc.vcd").read_text()
    assert "$scope module slice3+ $end" in sc and " input_bit_plane " in sc
    rtl = (tmp_path / "pe_rtl.vcd").read_text()
    assert "system.pe.slice3+.sar_adc_ctrl" in rtl and "slice2+" not in rtl  # the first ADC, as before
    res = bitcim(bitcim_bin, "run", "--weights", WEIGHTS, "--limit", "1", "--level", "cycle", "--no-baseline",
                 "--trace", tmp_path / "all.vcd", "--trace-adcs", "all")
    assert res.returncode == 0, res.stderr
    rtl = (tmp_path / "all_rtl.vcd").read_text()
    assert all(f"system.pe.slice{k}{p}.sar_adc_ctrl" in rtl for k in range(4) for p in "+-")


def tlm_run(bitcim_bin, tmp_path, name, *extra):
    res = bitcim(bitcim_bin, "run", "--weights", WEIGHTS, "--limit", "3", "--level", "tlm", "--no-baseline",
                 "--trace", tmp_path / f"{name}.fst", "--trace-bus", tmp_path / f"{name}.log", *extra)
    assert res.returncode == 0, res.stderr
    log = [l.split("\t") for l in (tmp_path / f"{name}.log").read_text().splitlines()[1:]]
    return Fst(bitcim_bin, tmp_path / f"{name}.fst"), log


def cycle_window(bitcim_bin, tmp_path, window):
    name = window.replace(":", "_")
    res = bitcim(bitcim_bin, "run", "--weights", WEIGHTS, "--limit", "2", "--level", "cycle", "--no-baseline", "--json",
                 "--trace", tmp_path / f"{name}.fst", "--trace-adcs", "slice3+", "--trace-images", window)
    assert res.returncode == 0, res.stderr
    return Fst(bitcim_bin, tmp_path / f"{name}.fst"), json.loads(res.stdout)


def test_window_of_images_records_those_images_only(bitcim_bin, tmp_path):
    first, _ = cycle_window(bitcim_bin, tmp_path, "0:1")
    second, report = cycle_window(bitcim_bin, tmp_path, "1:2")
    both, same = cycle_window(bitcim_bin, tmp_path, "0:2")
    # Image 1 starts where image 0 ends; the two windows make up the whole run.
    assert first.start == 0 < first.end == second.start < second.end == both.end
    assert first.end * 2 == pytest.approx(both.end, rel=0.2)  # MLP images take about the same time
    # Batches 0|1 (a window of image 1) or 0-1 (as without a window): the same report.
    assert report == same
    # A window opens with every variable's value: a viewer shows them from its first time.
    assert all(second.changes[h][0][0] == second.start for h, _ in second.vars.values())
    # The layer and the block the one simulated PE holds: the blocks run in turn.
    blocks = {v for _, v in both.wave("system.pe.block")}
    assert {v for _, v in both.wave("system.layer")} == {0, 1} and len(blocks) > 2
    # --trace-adcs: the MSB slice's RTL only, where the default records every ADC's.
    assert {p.split(".")[2] for p in both.vars if ".sar_adc_ctrl." in p} == {"slice3+"}


def test_tlm_window_widens_to_the_batch_and_says_so(bitcim_bin, tmp_path):
    res = bitcim(bitcim_bin, "run", "--weights", WEIGHTS, "--limit", "3", "--level", "tlm", "--no-baseline",
                 "--trace", tmp_path / "w.fst", "--trace-bus", tmp_path / "w.log", "--trace-images", "1:2")
    assert res.returncode == 0, res.stderr
    assert "the trace window holds images 0..2, the batches that hold 1..1" in res.stderr
    fst, log = Fst(bitcim_bin, tmp_path / "w.fst"), (tmp_path / "w.log").read_text().splitlines()[1:]
    times = [float(l.split("\t")[0]) * 1000 for l in log]
    assert log and fst.start <= min(times) and max(times) <= fst.end


def test_bus_log_names_every_register_access_and_the_waves_count_them(bitcim_bin, tmp_path):
    fst, log = tlm_run(bitcim_bin, tmp_path, "bus")
    regmap = json.loads(bitcim(bitcim_bin, "regmap", "--json").stdout)
    offsets = {}
    for r in regmap["registers"]:
        for k in range(r.get("count", 1)):
            offsets[r["name"] + (f"[{k}]" if r.get("count", 1) > 1 else "")] = r["offset"] + k * r.get("stride", 0)
    registers = [l for l in log if "+" not in l[2]]
    assert registers and all(int(l[1], 16) == offsets[l[2]] for l in registers)
    starts = [l for l in log if l[2] == "CTRL" and l[3] == "W" and int(l[4], 16) & 2]
    assert len(starts) >= 2  # a START per layer
    assert all(l[6] == "TLM_OK_RESPONSE" for l in log)
    assert fst.wave("system.chip.bus.accesses")[-1][1] == len(log)


@pytest.mark.parametrize("args,message", [
    (["--level", "tlm", "--trace", "T.fst", "--trace-images", "2:1"], "--trace-images 2:1: B must be above A"),
    (["--level", "tlm", "--trace", "T.fst", "--trace-images", "1-2"], "--trace-images 1-2: expected A:B"),
    (["--level", "tlm", "--trace", "T.fst", "--trace-images", "a:2"], "--trace-images a:2: expected A:B"),
    (["--level", "tlm", "--trace", "T.fst", "--trace-images", "0:5"], "--trace-images 0:5: the run has 2 images"),
    (["--level", "tlm", "--trace", "T.vcd", "--trace-images", "0:1"], "--trace-images needs an FST trace"),
    (["--level", "cycle", "--trace", "T.fst", "--trace-bus", "b.log"], "--trace-bus needs --level tlm"),
    (["--level", "tlm", "--trace", "T.fst", "--trace-adcs", "slice3+"], "--trace-adcs needs --level cycle"),
    (["--level", "cycle", "--trace", "T.fst", "--trace-adcs", "slice9+"], "--trace-adcs slice9+: no such ADC"),
])
def test_trace_options_refuse_bad_input_naming_the_option(bitcim_bin, tmp_path, args, message):
    args = [str(tmp_path / a) if a in ("T.fst", "T.vcd") else a for a in args]
    res = bitcim(bitcim_bin, "run", "--weights", WEIGHTS, "--limit", "2", "--no-baseline", *args, timeout=120)
    assert res.returncode == 2 and message in res.stderr, res.stderr

"""bitcim.savings: every shipped network under every configuration, ratios against the ISAAC-like baseline."""
import json

from bitcim.savings import CONFIGS, NETWORKS, main


def test_savings_report_measures_each_network_and_mapping(bitcim_bin, tmp_path):
    main(["--bitcim", str(bitcim_bin), "--limit", "20", "--out", str(tmp_path / "savings")])
    rows = json.loads((tmp_path / "savings.json").read_text())["rows"]
    assert len(rows) == len(NETWORKS) * len(CONFIGS)
    assert rows[0]["energy_saving"] == 1.0
    by = {(r["network"], r["config"]): r for r in rows}
    isaac, compact = list(CONFIGS)[:2]
    # Crossbar pruning with k-means column exchange frees crossbars only when the mapping is compact.
    km = "k-means + xbar pruning"
    assert by[(km, compact)]["crossbars"] < by[(km, isaac)]["crossbars"]
    assert by[(km, compact)]["energy_nj"] < by[(km, isaac)]["energy_nj"]
    # Bit sparsity makes cells cheaper to read: the twofold network costs less than the dense one.
    assert by[("twofold", isaac)]["cells_nj"] < by[("dense", isaac)]["cells_nj"]
    assert (tmp_path / "savings.png").stat().st_size > 10_000
    # Table 3 of the bit-slice paper, measured on the chip's reports
    t3 = json.loads((tmp_path / "savings.json").read_text())["table3"]
    assert round(t3["1-bit"]["energy_saving"], 1) == 28.4 and round(t3["3-bit"]["energy_saving"], 1) == 14.2
    assert round(t3["1-bit"]["conversion_speedup"], 2) == 8.0 and round(t3["3-bit"]["conversion_speedup"], 2) == 2.67
    assert round(t3["1-bit"]["area_saving"], 1) == 2.0 and round(t3["3-bit"]["area_saving"], 1) == 2.0
    assert "| twofold |" in (tmp_path / "savings.md").read_text()

"""Running a trained network on the hardware model: `bitcim run` on an exported weight file."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Dict, Union

ROOT = Path(__file__).resolve().parents[3]


def bitcim_binary() -> Path:
    """$BITCIM_BIN, else the default build's program; a missing one is named."""
    path = Path(os.environ.get("BITCIM_BIN", ROOT / "build" / "bitcim"))
    if not path.exists():
        raise ValueError(f"{path}: no bitcim program (build it with scripts/build, or set BITCIM_BIN)")
    return path


def bitcim_run(weights: Union[str, Path], config: Dict[str, Any], limit: int, level: str = "golden",
               binary: Union[str, Path, None] = None) -> Dict[str, Any]:
    """`bitcim run --json --no-baseline` of `weights` with `config` (a cfg.json's contents) on the
    first `limit` test images; its report. A failed run raises RuntimeError with bitcim's message."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(config, f)
    try:
        res = subprocess.run([str(binary or bitcim_binary()), "run", "--weights", str(weights), "--config", f.name,
                              "--limit", str(limit), "--level", level, "--json", "--no-baseline"],
                             capture_output=True, text=True)
    finally:
        Path(f.name).unlink()
    if res.returncode != 0:
        raise RuntimeError(f"bitcim run failed on {weights}: {res.stderr.strip()}")
    return json.loads(res.stdout)

"""Resumable experiment steps: each finished step is one JSON file, written atomically.

Steps run in order, or in `jobs` worker processes of one torch thread each; a line per finished
step shows the count, the rate and the time left.
"""
from __future__ import annotations

import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional


@dataclass
class Step:
    """One unit of work: `fn(**kwargs)` returns a JSON-able dict, stored as `name`.json."""

    name: str
    fn: Callable[..., Dict[str, Any]]
    kwargs: Dict[str, Any] = field(default_factory=dict)


def _path(work: Path, name: str) -> Path:
    return work / f"{name}.json"


def load(work: Path, name: str) -> Optional[Dict[str, Any]]:
    p = _path(work, name)
    return json.loads(p.read_text()) if p.exists() else None


def _store(work: Path, name: str, result: Dict[str, Any]) -> None:
    p = _path(work, name)
    tmp = p.with_suffix(f".tmp{os.getpid()}")
    tmp.write_text(json.dumps(result, indent=1) + "\n")
    os.replace(tmp, p)  # atomic: a killed run never leaves half a step


def _call(step: Step) -> Dict[str, Any]:
    import torch
    torch.set_num_threads(1)  # one thread a worker: measured fastest for these models (docs/PERFORMANCE.md)
    start = time.time()
    result = step.fn(**step.kwargs)
    result["seconds"] = round(time.time() - start, 1)
    return result


def hold_settings(work: Path, settings: Dict[str, Any]) -> None:
    """Ties `work` to `settings`: refuses (ValueError) a directory whose steps ran with other ones."""
    work.mkdir(parents=True, exist_ok=True)
    p = work / "settings.json"
    mine = json.loads(json.dumps(settings))  # tuples as lists, as they come back from the file
    if p.exists():
        theirs = json.loads(p.read_text())
        if theirs != mine:
            diff = sorted(k for k in set(mine) | set(theirs) if mine.get(k) != theirs.get(k))
            raise ValueError(f"{work} holds steps run with other settings ({', '.join(diff)}); "
                             "give another --out or remove that directory")
    else:
        p.write_text(json.dumps(mine, indent=1) + "\n")


def run(work: Path, steps: List[Step], jobs: int = 1, label: str = "steps") -> Dict[str, Dict[str, Any]]:
    """Runs the steps not yet stored under `work` (in order for jobs == 1) and returns every step's result."""
    work.mkdir(parents=True, exist_ok=True)
    todo = [s for s in steps if not _path(work, s.name).exists()]
    print(f"{label}: {len(steps)} steps, {len(steps) - len(todo)} already done, {len(todo)} to run", file=sys.stderr)
    start, done = time.time(), 0

    def finished(step: Step, result: Dict[str, Any]) -> None:
        nonlocal done
        _store(work, step.name, result)
        done += 1
        elapsed = time.time() - start
        eta = elapsed / done * (len(todo) - done)
        print(f"{label}: {done}/{len(todo)} {step.name} ({result['seconds']:.0f} s), "
              f"{60 * done / elapsed:.2f} steps/min, ETA {eta / 60:.1f} min", file=sys.stderr, flush=True)

    if jobs <= 1:
        for step in todo:
            finished(step, _call(step))
    else:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(_call, s): s for s in todo}
            for f in as_completed(futures):
                finished(futures[f], f.result())
    return {s.name: load(work, s.name) for s in steps}

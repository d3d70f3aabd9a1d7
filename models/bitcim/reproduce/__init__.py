"""The seed papers' experiments, one command each (issue #18):

    python3 -m bitcim.reproduce NAME [--out results/] [--smoke] [--jobs N]

Each experiment is a list of steps (train, prune, fine-tune, run on the model); every finished
step is a JSON file under OUT/NAME-work/, so a rerun resumes where the last one stopped. The
page (OUT/NAME.md), its JSON and its figures are rewritten from the steps at the end.
"""
from __future__ import annotations

EXPERIMENTS = {
    "table1": "bitcim.reproduce.table1",
    "table2": "bitcim.reproduce.table2",
    "twofold": "bitcim.reproduce.twofold",
    "mapping": "bitcim.reproduce.mapping",
}

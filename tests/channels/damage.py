"""Seeded damage to a report file: one cell replaced by a value real exports get wrong (shared by the per-source
"imported whole or rejected whole" tests; the hypothesis test in test_malformed_files.py covers every source)."""

from __future__ import annotations

import csv
import io
import random

GARBAGE = ["", "abc", "-7", "1e400", "NaN", "9" * 40, "１２", "2026-13-45", "$", "1.5", "x" * 600, '"', "1.23E+17",
           "Yes", "(12.50)", "1.234,56", "a\x00b"]


def mutated(path, seed, tmp_path, delimiter):
    """The file with one random cell (header included) replaced by a value real exports get wrong."""
    rng = random.Random(seed)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8")), delimiter=delimiter))
    row = rows[rng.randrange(len(rows))]
    row[rng.randrange(len(row))] = rng.choice(GARBAGE)
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    target = tmp_path / f"mutated-{seed}{path.suffix}"
    target.write_text(out.getvalue(), encoding="utf-8")
    return target

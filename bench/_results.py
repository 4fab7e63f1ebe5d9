"""One place where every benchmark records a figure checked against its target.

Each bench script calls `record(...)`: the line is printed at once, and when `BENCH_RESULTS`
names a file (set by `bench/all.py`), it is appended there as one JSON object so the whole
`make bench` run ends with a single table and exits non-zero when any target is missed.
"""

from __future__ import annotations

import json
import operator
import os
from collections.abc import Callable

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    "<": operator.lt,
    ">": operator.gt,
    "==": operator.eq,
}


def record(name: str, value: float, op: str, target: float, unit: str = "", detail: str = "") -> bool:
    """Print one measured figure next to its target; append it to $BENCH_RESULTS. Returns whether it is met."""
    met = OPERATORS[op](value, target)
    mark = "ok" if met else "MISSED"
    suffix = f" ({detail})" if detail else ""
    print(f"[ratio] {name}: {value:,.3g}{unit} (target {op} {target:g}{unit}) {mark}{suffix}", flush=True)
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(
                json.dumps(
                    {
                        "name": name,
                        "value": value,
                        "op": op,
                        "target": target,
                        "unit": unit,
                        "met": met,
                        "detail": detail,
                    }
                )
                + "\n"
            )
    return met

"""Fault injection for the fault tests (tests/faults): a named point where a process can be held.

Off unless `ESPACE_FAULT_PAUSE_AT` names the point and `ESPACE_FAULT_PAUSE_DIR` a directory (never
in production): then, reaching that point, the process writes `<dir>/<name>.reached` and waits (at most a minute) for
`<dir>/<name>.release`, so a test in another process can kill it there, mid-task.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

FAULT_WAIT_SECONDS = 60


def fault_point(name: str) -> None:
    directory = os.environ.get("ESPACE_FAULT_PAUSE_DIR")
    if not directory or os.environ.get("ESPACE_FAULT_PAUSE_AT") != name:
        return
    reached = Path(directory) / f"{name}.reached"
    if reached.exists():
        return  # held once only: the run after the fault goes through
    reached.write_text(str(os.getpid()))
    release = Path(directory) / f"{name}.release"
    deadline = time.monotonic() + FAULT_WAIT_SECONDS
    while not release.exists() and time.monotonic() < deadline:
        time.sleep(0.05)

"""`make bench`: every bench script in sequence, then one table of every ratio against its target.

Each script runs as a subprocess with `BENCH_RESULTS` naming a temporary file; each figure a script
checks goes through `bench._results.record`, which appends it there. At the end: the machine
(cores, RAM, PostgreSQL version, date), one line per recorded figure (value, target, ok/MISSED),
and the exit status: 1 when a target is missed or a script failed (or recorded nothing), else 0.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/espace_bench .venv/bin/python bench/all.py [--only load]

`DATABASE_URL` is the server the scripts use (each creates and drops its own test database named
after it; the load bench creates its own `<name>_load` database). `run.py` (the registry import)
runs on it too, with the test settings.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"

# (name, script, extra environment): run in this order.
SCRIPTS: list[tuple[str, str, dict[str, str]]] = [
    ("finance", "finance.py", {}),
    ("registry import", "run.py", {"DJANGO_SETTINGS_MODULE": "config.settings_test"}),
    ("portfolio pages", "portfolio_pages.py", {}),
    ("portfolio import", "portfolio_import.py", {}),
    ("api loans", "api_loans.py", {}),
    ("load", "load.py", {}),
    ("fuzz forms", "fuzz_forms.py", {"DJANGO_SETTINGS_MODULE": "config.settings_test"}),
    ("soak", "soak.py", {}),
]


def machine() -> list[str]:
    cores = os.cpu_count() or 0
    ram = ""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        ram = "?"
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return [
        f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}",
        f"machine: {cores} cores ({cpu}), {ram} RAM, {platform.system()} {platform.release()}",
        f"PostgreSQL: {postgres_version()}",
        f"Python {platform.python_version()}",
    ]


def postgres_version() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return "not used (DATABASE_URL is not PostgreSQL)"
    try:
        import psycopg

        base = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(base, connect_timeout=5) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "?"
    except Exception as error:  # noqa: BLE001 — a report line, not a failure
        return f"unreachable ({error.__class__.__name__})"


def table(results: list[dict[str, object]]) -> list[str]:
    width = max([len(str(result["name"])) for result in results] + [10])
    lines = [f"{'figure':<{width}}  {'value':>12}  {'target':>12}  verdict"]
    for result in results:
        unit = str(result.get("unit") or "")
        value = f"{float(result['value']):,.3g}{unit}"  # type: ignore[arg-type]
        target = f"{result['op']} {float(result['target']):g}{unit}"  # type: ignore[arg-type]
        verdict = "ok" if result["met"] else "MISSED"
        lines.append(f"{result['name']!s:<{width}}  {value:>12}  {target:>12}  {verdict}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", help="run only these scripts (names or file names)")
    args = parser.parse_args()
    chosen = [entry for entry in SCRIPTS if not args.only or entry[0] in args.only or entry[1] in args.only]
    if not chosen:
        parser.error(f"no bench named {args.only}; names: {', '.join(name for name, _script, _env in SCRIPTS)}")
    failures: list[str] = []
    durations: list[str] = []
    with tempfile.TemporaryDirectory(prefix="espace-bench-") as folder:
        results_path = Path(folder) / "results.jsonl"
        results_path.touch()
        for name, script, extra in chosen:
            print(f"\n=== {name} (bench/{script}) ===", flush=True)
            env = {**os.environ, **extra, "BENCH_RESULTS": str(results_path), "PYTHONUNBUFFERED": "1"}
            before = len(results_path.read_text(encoding="utf-8").splitlines())
            started = time.perf_counter()
            done = subprocess.run([sys.executable, str(BENCH / script)], cwd=ROOT, env=env, check=False)
            elapsed = time.perf_counter() - started
            durations.append(f"{name}: {elapsed:.0f} s")
            recorded = [
                json.loads(line)
                for line in results_path.read_text(encoding="utf-8").splitlines()[before:]
                if line.strip()
            ]
            missed_here = any(not result["met"] for result in recorded)
            if done.returncode != 0 and not (done.returncode == 1 and missed_here):
                # A script that exits 1 because it missed a target it recorded is not a second failure.
                failures.append(f"{script} exited with status {done.returncode}")
            elif not recorded:
                failures.append(f"{script} recorded no figure")
        results = [json.loads(line) for line in results_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    print("\n=== make bench: summary ===")
    for line in machine():
        print(line)
    print("durations: " + "; ".join(durations))
    print()
    if results:
        for line in table(results):
            print(line)
    missed = [result for result in results if not result["met"]]
    print()
    for failure in failures:
        print(f"FAILED: {failure}")
    if missed or failures:
        print(f"make bench: {len(missed)} target(s) missed, {len(failures)} script failure(s) — exit 1")
        return 1
    print(f"make bench: all {len(results)} figures meet their targets")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

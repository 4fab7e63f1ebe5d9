"""Fuzzing every form and upload (make bench, or by hand): 10,000 posts by default.

    DJANGO_SETTINGS_MODULE=config.settings_test CLAMD_HOST=127.0.0.1 .venv/bin/python bench/fuzz_forms.py [POSTS]

The forms are found on the pages of each kind of user (tests/faults/form_fuzz.py, the engine the
CI test uses with 300 posts); hypothesis draws the submissions. Records the number of server
errors (target 0) and of half-written objects or orphan files (target 0). DATABASE_URL selects
PostgreSQL; the test database is made and dropped by Django's test runner.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")

import django

django.setup()

from _results import record  # noqa: E402
from django.conf import settings  # noqa: E402
from django.test.runner import DiscoverRunner  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402


def main() -> int:
    from tests.faults.form_fuzz import build_world, consistency_problems, discover, fuzz, relax_limits

    posts = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("FUZZ_POSTS", "10000"))
    setup_test_environment()
    runner = DiscoverRunner(verbosity=0)
    old = runner.setup_databases()
    try:
        with tempfile.TemporaryDirectory(prefix="espace_fuzz_") as media:
            settings.MEDIA_ROOT = Path(media)
            relax_limits(settings)
            clients, pages = build_world()
            forms = discover(clients, pages)
            started = time.perf_counter()
            report = fuzz(clients, forms, posts=posts)
            elapsed = time.perf_counter() - started
            problems = consistency_problems(Path(media))
        from django.db import connection

        print(f"[bench] database: {connection.vendor}; {len(forms)} forms; {report.posts} posts in {elapsed:.0f} s")
        print(f"[bench] statuses: {dict(sorted(report.statuses.items()))}")
        for line in report.server_errors[:20]:
            print(f"[bench] server error: {line}")
        for line in problems[:20]:
            print(f"[bench] half-written: {line}")
        ok = record("fuzz_forms server errors", len(report.server_errors), "==", 0, detail=f"{report.posts} posts")
        ok &= record("fuzz_forms half-written objects", len(problems), "==", 0)
        return 0 if ok else 1
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())

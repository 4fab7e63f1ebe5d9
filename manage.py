#!/usr/bin/env python
import os
import sys
from pathlib import Path

# `make run` writes the demo's settings (DEBUG, HOST, PORT, CLAMD_HOST) here, so the operator
# commands printed in its banner and in the README work as shown. The environment wins.
LOCAL_ENV = Path(os.environ.get("ESPACE_RUN_ENV") or Path(__file__).resolve().parent / "var" / "run.env")


def main() -> None:
    if LOCAL_ENV.is_file():
        from dotenv import load_dotenv

        load_dotenv(LOCAL_ENV, override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()

"""`python -m espace.finance …`: see espace.finance.cli."""

from .cli import main

raise SystemExit(main())

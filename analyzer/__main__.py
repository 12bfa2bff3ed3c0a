"""`python -m analyzer` is the `strangler` command."""

from analyzer.cli import main

raise SystemExit(main())

"""``python -m tui`` runs the threadlab command line."""

from __future__ import annotations

from threadlab.tui.cli import main

raise SystemExit(main())

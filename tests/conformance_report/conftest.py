"""The conformance report (``conformance/report.py``) is a script beside the package, as the
bench scripts are: its folder is put on ``sys.path`` for the tests of it."""

from __future__ import annotations

import sys
from pathlib import Path

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance"
if str(CONFORMANCE) not in sys.path:
    sys.path.insert(0, str(CONFORMANCE))

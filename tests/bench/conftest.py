"""The bench scripts import each other as top-level modules (``bench/`` is on ``sys.path``
when one runs): so do the tests of them."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

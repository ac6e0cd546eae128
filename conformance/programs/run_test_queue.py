"""CPython's ``Lib/test/test_queue.py``: its pure-Python parts.

Read from the interpreter's own ``test`` package; nothing is copied. Changed:
- ``test.support`` is ``support_shim``, whose ``import_fresh_module('queue',
  blocked=['_queue'])`` imports ``queue`` afresh with ``_queue`` absent, through the program's
  own ``import`` (so under threadlab it is the controlled ``queue``), and whose
  ``import_fresh_module('queue', fresh=['_queue'])`` gives None: the C ``_queue`` variants
  (``CQueueTest``, ``CSimpleQueueTest``...) are skipped in both runs, and the pure-Python
  ``SimpleQueue`` is the one tested.
"""

from __future__ import annotations

import cpython_suite


def main() -> None:
    cpython_suite.run_test_file("test_queue.py")


if __name__ == "__main__":
    main()

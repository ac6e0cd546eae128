"""CPython's ``Lib/test/test_asyncio/test_locks.py``, as it is.

Read from the interpreter's own ``test`` package; nothing is copied and nothing substituted:
the file imports only ``unittest``, ``unittest.mock``, ``re``, ``asyncio`` and
``collections``, each as the program's own import (so under threadlab ``asyncio`` is the
controlled one; ``unittest.IsolatedAsyncioTestCase`` is whatever a program's ``unittest``
gives). Its ``tearDownModule`` runs after its tests, as unittest runs it.
"""

from __future__ import annotations

import cpython_suite


def main() -> None:
    cpython_suite.run_test_file("test_asyncio", "test_locks.py")


if __name__ == "__main__":
    main()

"""threadlab: a terminal playground and microscope for concurrency.

The repository's top-level folders are this package's sub-packages: ``engine/``
(controlled threads, primitives, snapshots), ``scenarios/`` (the lessons, plain Python) and
``tui/`` (the Textual app) install as ``threadlab.engine``, ``threadlab.scenarios`` and
``threadlab.tui``, so nothing is installed as a top-level ``engine``. Each file has one path,
in a checkout (an editable install maps ``threadlab`` to the checkout) as in a wheel.
"""

from __future__ import annotations

__version__ = "0.1.0"

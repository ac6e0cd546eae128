"""threadlab: a terminal playground and microscope for concurrency.

The import package is assembled from the repository's top-level folders: ``engine/``
(controlled threads, primitives, snapshots), ``scenarios/`` (the lessons, plain Python) and
``tui/`` (the Textual app). The links in this folder let tools run from a checkout see the
same layout that ``pip install`` builds, so nothing is installed as a top-level ``engine``.
"""

from __future__ import annotations

__version__ = "0.1.0"

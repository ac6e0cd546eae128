"""The engine's own synchronisation primitives: an asyncio event loop and its executor,
whose every callback is a checkpoint. ``threading``'s objects are CPython's own, over the
controlled ``_thread`` (``engine.stdlib.lowlevel``)."""

from __future__ import annotations

from .aio import AsyncLoop, LoopExecutor

__all__ = ["AsyncLoop", "LoopExecutor"]

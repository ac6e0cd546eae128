"""The speeds the + and - keys (and the palette) move through."""

from __future__ import annotations

SPEEDS: tuple[float | None, ...] = (1, 2, 4, 8, 16, 32, 64, None)
"""Steps per second, slowest first; None is as fast as possible."""


def faster(speed: float | None) -> float | None:
    """The next speed up the list (max stays max)."""
    if speed is None:
        return None
    return next((s for s in SPEEDS if s is None or s > speed), None)


def slower(speed: float | None) -> float | None:
    """The next speed down the list (the slowest stays the slowest)."""
    if speed is None:
        return SPEEDS[-2]
    lower = [s for s in SPEEDS if s is not None and s < speed]
    return lower[-1] if lower else speed

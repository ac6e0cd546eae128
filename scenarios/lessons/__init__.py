"""The lessons: for each program in ``scenarios/``, what is not the lesson's code (its
title and explanation, parameters, variants, invariants and watched values), declared
once, apart from the code the panel shows."""

from __future__ import annotations

from pathlib import Path

_PROGRAMS = Path(__file__).resolve().parent.parent


def program_path(name: str) -> str:
    """The file of the scenario program ``name`` (``scenarios/<name>.py``)."""
    return str(_PROGRAMS / f"{name}.py")

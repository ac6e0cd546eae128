"""The standard library inside a run: ``threading`` and ``queue`` are CPython's own, run
afresh for the run over a controlled ``_thread`` (``lowlevel``), and shown in the panels
by ``shown``; ``time`` (the run's virtual clock), ``asyncio`` (CPython's, on the engine's
event loop) and ``concurrent.futures`` are the engine's (``modules``). Every blocking or
state-changing call is a checkpoint of the run's schedule.
"""

"""The standard library, controlled: ``threading``, ``queue``, ``concurrent.futures``,
``time`` and ``asyncio`` as a program sees them inside a run.

Each class and function here has CPython's API, errors and guarantees, and every blocking
or state-changing call is a checkpoint of the run's schedule; time is the run's virtual
clock. ``modules.controlled_modules`` assembles them into the module objects a program's
``import`` statements receive (``engine.program`` does the redirecting).
"""

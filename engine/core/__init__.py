"""The simulation core: the kernel primitives are written against, the step driver, verdicts,
replay, user actions and the recorded history."""

"""What to explore, in a form another process can rebuild (a scenario's callables are not
sent, only its name or path)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass

from ..lesson.own_program import module_scenario, program_scenario
from ..lesson.scenario import RunConfig, Scenario, resolve_config


@dataclass(frozen=True)
class Target:
    """A scenario by name, a program file, or a module run with ``-m``, configured."""

    kind: str
    """'scenario', 'file' or 'module'."""
    name: str
    variant: str
    params: tuple[tuple[str, int], ...]
    seed: int
    argv: tuple[str, ...] = ()
    races: bool = True

    def config(self, find_scenario: Callable[[str], Scenario]) -> RunConfig:
        """The run configuration (raises ``ConfigError`` as the command line would);
        ``find_scenario`` looks a shipped scenario up by name."""
        if self.kind == "module":
            scenario = dataclasses.replace(module_scenario(self.name), races=self.races)
        elif self.kind == "file":
            scenario = program_scenario(self.name, races=self.races)
        else:
            scenario = find_scenario(self.name)
        return resolve_config(scenario, self.variant, dict(self.params), self.seed, self.argv)


def target_of(config: RunConfig) -> Target:
    """The target a configuration was made from."""
    scenario = config.scenario
    kind = "scenario"
    name = scenario.name
    if scenario.entry is None:  # a program of the user's
        # run with -m, its name is the module's; a file's is its path (as given: relative
        # to the current folder, which worker processes share)
        kind = "file" if os.path.abspath(scenario.name) == scenario.program else "module"
    return Target(
        kind, name, config.variant, config.params, config.seed, config.argv, scenario.races
    )

"""Build script: the checkout's top-level folders install as one import package.

``engine/``, ``scenarios/`` and ``tui/`` (with every sub-package and data file found in
them) become ``threadlab.engine``, ``threadlab.scenarios`` and ``threadlab.tui``; the
checkout's own ``__init__.py`` is ``threadlab``. The metadata is in ``pyproject.toml``.
"""

from __future__ import annotations

import os
import shutil

from setuptools import find_packages, setup
from setuptools.command.build_py import build_py

FOLDERS = ("cli", "engine", "scenarios", "tui")
PACKAGES = ["threadlab"] + [
    f"threadlab.{name}" for name in find_packages(include=[*FOLDERS, *(f"{f}.*" for f in FOLDERS)])
]


class BuildPackage(build_py):
    """Leaves this build script out of the package whose folder it shares, and starts from
    an empty build folder: setuptools would otherwise pack a module deleted from the
    checkout since an earlier build."""

    def run(self) -> None:
        shutil.rmtree(os.path.join(self.build_lib, "threadlab"), ignore_errors=True)
        super().run()

    def find_package_modules(self, package: str, package_dir: str) -> list[tuple[str, str, str]]:
        modules = super().find_package_modules(package, package_dir)
        return [module for module in modules if (module[0], module[1]) != ("threadlab", "setup")]


setup(
    package_dir={"threadlab": "."},
    packages=PACKAGES,
    # every data file in the sub-packages (styles); none from the checkout's root
    package_data={name: ["*"] for name in PACKAGES if name != "threadlab"},
    cmdclass={"build_py": BuildPackage},
)

"""Build hook: ship the curated records of ``data/`` inside the wheel.

``data/`` at the repository root is the one place analysts edit.  An editable
install reads it in place; a built wheel carries a copy under
``llmtrends/_data`` so ``observations()`` works outside the repository.
"""
from pathlib import Path
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).parent


class BuildPyWithData(build_py):
    def run(self):
        super().run()
        if self.editable_mode:
            return
        source = ROOT / "data"
        target = Path(self.build_lib) / "llmtrends" / "_data"
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(
            source, target,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"),
        )


setup(cmdclass={"build_py": BuildPyWithData})

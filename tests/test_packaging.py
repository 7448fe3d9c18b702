"""The project's shape: environment.yml in step with pyproject.toml, and a wheel that carries the data."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
CONDA_NAMES: dict[str, str] = {}  # PyPI name -> conda-forge name, where they differ


def _requirement(spec: str) -> tuple[str, str]:
    m = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec)
    return m.group(1).lower().replace("_", "-"), m.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_requirement(s) for s in specs)


def environment_requirements(path: Path = REPO / "environment.yml") -> dict[str, str]:
    env = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            out.update(_requirement(s) for s in dep.get("pip", []) if not s.startswith("-e"))
        else:
            name, version = _requirement(dep)
            if name not in ("python", "pip"):
                out[name] = version
    return out


def drift(pyproject: dict[str, str], environment: dict[str, str]) -> list[str]:
    expected = {CONDA_NAMES.get(k, k): v for k, v in pyproject.items()}
    problems = []
    for name, version in expected.items():
        if name not in environment:
            problems.append(f"{name}{version} is in pyproject.toml but not environment.yml")
        elif environment[name] != version:
            problems.append(f"{name}: pyproject.toml says {version!r}, environment.yml says {environment[name]!r}")
    for name in environment.keys() - expected.keys():
        problems.append(f"{name} is in environment.yml but not pyproject.toml")
    return problems


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    assert drift(pyproject_requirements(), environment_requirements()) == []


def test_drift_is_detected(tmp_path):
    text = (REPO / "environment.yml").read_text(encoding="utf-8")
    edited = tmp_path / "environment.yml"
    edited.write_text(text.replace("  - seaborn>=0.13\n", "  - seaborn>=0.12\n  - scipy\n"), encoding="utf-8")
    problems = drift(pyproject_requirements(), environment_requirements(edited))
    assert "seaborn: pyproject.toml says '>=0.13', environment.yml says '>=0.12'" in problems
    assert "scipy is in environment.yml but not pyproject.toml" in problems


@pytest.mark.slow
def test_wheel_carries_the_data_and_loads_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(REPO)], check=True, capture_output=True)
    wheel = next(dist.glob("llmtrends-*.whl"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # install the wheel into the fresh venv; borrow only its dependencies from the test environment
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    (site / "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    code = ("import llmtrends, llmtrends.facts.datasets as d, llmtrends.paths as p; df = d.observations(); "
            "print(llmtrends.__file__); print(p.data_dir()); print(len(df))")
    env = {k: v for k, v in os.environ.items() if k not in ("LLMTRENDS_DATA", "PYTHONPATH")}
    out = subprocess.run([str(python), "-c", code], cwd=tmp_path, env=env, check=True, capture_output=True,
                         text=True).stdout.splitlines()
    assert out[0].startswith(str(site))
    assert out[1] == str(site / "llmtrends" / "_data")
    assert (site / "llmtrends" / "py.typed").is_file(), "the package says it is typed (PEP 561)"
    assert (site / "llmtrends" / "_data" / "releases.yaml").is_file(), "lt.changes() needs the releases"
    from llmtrends.facts import datasets
    assert int(out[2]) == len(datasets.observations())

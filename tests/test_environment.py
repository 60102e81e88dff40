"""environment.yml and constraints.txt stay in sync with pyproject.toml."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements(group: str | None = None) -> list[Requirement]:
    specs = PYPROJECT["dependencies"] if group is None else PYPROJECT["optional-dependencies"][group]
    return [Requirement(s) for s in specs]


def environment_pip_entries() -> list[str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert "conda-forge" in env["channels"]
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert len(pip_sections) == 1, "environment.yml needs one pip: section"
    assert any(str(d).startswith("python>=3.10") for d in env["dependencies"])
    return pip_sections[0]


def test_environment_lists_every_dependency_with_its_lower_bound():
    entries = environment_pip_entries()
    listed = {canonicalize_name(Requirement(e).name): Requirement(e) for e in entries if not e.startswith("-")}
    for req in requirements():
        name = canonicalize_name(req.name)
        assert name in listed, f"{req.name} is in pyproject.toml but not in environment.yml"
        assert listed[name].specifier == req.specifier, f"{req.name}: {listed[name]} vs pyproject {req}"
    unknown = set(listed) - {canonicalize_name(r.name) for r in requirements()}
    assert not unknown, f"environment.yml lists packages pyproject.toml lacks: {sorted(unknown)}"


def test_environment_installs_the_package_with_dev_and_lab_extras():
    assert "-e .[dev,lab]" in environment_pip_entries()


def test_constraints_pin_every_dependency():
    pins = {}
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            assert len(req.specifier) == 1 and next(iter(req.specifier)).operator == "==", line
            pins[canonicalize_name(req.name)] = req
    assert "course-utils" not in pins
    for group in (None, "dev", "lab"):
        for req in requirements(group):
            if req.marker is not None and not req.marker.evaluate():
                continue
            name = canonicalize_name(req.name)
            assert name in pins, f"{req.name} has no pin in constraints.txt: run `make lock`"
            version = next(iter(pins[name].specifier)).version
            assert req.specifier.contains(version, prereleases=True), f"{pins[name]} violates {req}"

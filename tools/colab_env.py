"""Test the course in Google Colab's own package set (``make test-colab``).

Colab's published package list (``../shared/colab/pip-freeze*.txt``, from Google's
``googlecolab/backend-info``) is copied, for the packages the course pulls in, into
``constraints-colab.txt``. This tool

    python tools/colab_env.py lock    # regenerate constraints-colab.txt from the published list
    python tools/colab_env.py test    # what `make test-colab` runs

``test`` builds (or reuses) a Python 3.13 virtual environment with Colab's versions of our
dependencies, of the Jupyter kernel pieces and of the test tools (cached under
``~/.cache/course-colab``, keyed by the hash of the constraints file); runs ``pip install
--dry-run --report`` of this checkout exactly as a lesson's setup cell would (no extras, not
editable, no constraints) and fails listing every package Colab already has that pip would
install, upgrade or downgrade; installs it by running the lessons' setup cell in a kernel of that environment (one that
believes it is in Colab) and checks what the cell says, checks that the kernel runs in that
environment, and runs every lesson in smoke mode with the usual harness
(``tests/test_notebooks.py``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints-colab.txt"
COLAB_DIR = ROOT.parent / "shared" / "colab"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "course-colab"
# What a Colab kernel runs besides our dependencies: the Jupyter pieces the lessons touch.
JUPYTER = ["ipykernel", "ipython", "ipywidgets", "traitlets", "jupyter_client", "jupyter_core",
           "tornado", "pyzmq", "matplotlib-inline", "widgetsnbextension", "jupyterlab_widgets"]
# What the notebook harness needs (pinned to Colab's version where Colab has it), and pip itself.
TEST_TOOLS = ["pytest", "pytest-xdist", "papermill", "nbformat", "nbclient", "pip"]
PACKAGE = "course-utils"
VENV_MARK = ".course-colab-venv"  # stamp: the environment finished installing
NUMBA_MARK = ".numba-cache-warm"  # stamp: librosa's compiled functions were cached one at a time


def canonical(name: str) -> str:
    """PEP 503 name: ``Jinja2`` and ``jinja_2`` compare equal."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_freeze(text: str) -> dict[str, str]:
    """``{canonical name: version}`` of the ``name==version`` lines of a ``pip freeze``."""
    versions = {}
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#") and "==" in line:
            name, version = line.split("==", 1)
            versions[canonical(name.strip())] = version.strip()
    return versions


@dataclass
class ColabVersions:
    """Colab's versions as constraints-colab.txt records them (CPU pins, GPU differences)."""

    cpu: dict[str, str]
    gpu: dict[str, str]
    python: str
    absent: set[str] = field(default_factory=set)  # resolved by the lock, not in Colab

    def has(self, name: str) -> bool:
        return canonical(name) in self.cpu or canonical(name) in self.gpu

    def versions(self, name: str) -> set[str]:
        name = canonical(name)
        return {v for v in (self.cpu.get(name), self.gpu.get(name)) if v}


def read_constraints(path: Path = CONSTRAINTS) -> ColabVersions:
    """Parse constraints-colab.txt: ``name==cpu  # gpu: v``, ``# gpu only: name==v``, ``# python: v``."""
    text = path.read_text(encoding="utf-8")
    cpu, gpu, absent, python = {}, {}, set(), ""
    for raw in text.splitlines():
        line = raw.strip()
        if match := re.fullmatch(r"#\s*python:\s*(\S+)", line):
            python = match.group(1)
        elif match := re.fullmatch(r"#\s*gpu only:\s*(\S+)==(\S+)", line):
            gpu[canonical(match.group(1))] = match.group(2)
        elif match := re.fullmatch(r"#\s*not in colab:\s*(.*)", line):
            absent |= {canonical(n) for n in match.group(1).split()}
        elif line and not line.startswith("#"):
            pin, _, comment = line.partition("#")
            name, version = (s.strip() for s in pin.split("==", 1))
            cpu[canonical(name)] = version
            gpu_match = re.fullmatch(r"\s*gpu:\s*(\S+)\s*", comment)
            if gpu_match and gpu_match.group(1) != "absent":
                gpu[canonical(name)] = gpu_match.group(1)
            elif not gpu_match:
                gpu[canonical(name)] = version
    if not python:
        raise SystemExit(f"{path}: missing the '# python: X.Y.Z' line; run `python tools/colab_env.py lock`")
    return ColabVersions(cpu=cpu, gpu=gpu, python=python, absent=absent)


def dependency_names(root: Path = ROOT) -> list[str]:
    """Names of the package's own dependencies (no extras), from pyproject.toml."""
    with (root / "pyproject.toml").open("rb") as fh:
        deps = tomllib.load(fh)["project"]["dependencies"]
    return [re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", d).group(0) for d in deps]


def base_packages(root: Path = ROOT) -> list[str]:
    """What the Colab environment installs before the course: dependencies, Jupyter, test tools."""
    return list(dict.fromkeys(dependency_names(root) + JUPYTER + TEST_TOOLS))


def bound_problems(requirements: list[str], colab: ColabVersions, where: str) -> list[str]:
    """Requirements whose specifier excludes Colab's CPU or GPU version of that package."""
    from packaging.requirements import Requirement

    problems = []
    for spec in requirements:
        req = Requirement(spec)
        runtimes: dict[str, list[str]] = {}
        for runtime, versions in (("CPU", colab.cpu), ("GPU", colab.gpu)):
            if version := versions.get(canonical(req.name)):
                runtimes.setdefault(version, []).append(runtime)
        for version, names in runtimes.items():
            if not req.specifier.contains(version, prereleases=True):
                problems.append(f"{where}: {spec!r} excludes Colab's {' and '.join(names)} version "
                                f"{req.name}=={version}")
    return problems


# ----------------------------------------------------------------------------- lock

def _source_note(colab_dir: Path) -> str:
    readme = (colab_dir / "README.md").read_text(encoding="utf-8") if (colab_dir / "README.md").is_file() else ""
    match = re.search(r"`([\w-]+/[\w.-]+)` repository,\s+commit\s+(\w+)\s+of\s+(\d{4}-\d{2}-\d{2})", readme)
    if match:
        return f"{match.group(1)} commit {match.group(2)} of {match.group(3)}"
    return "googlecolab/backend-info (commit unknown)"


def _os_python(colab_dir: Path) -> str:
    text = (colab_dir / "os-info.txt").read_text(encoding="utf-8")
    match = re.search(r"^Python (\S+)", text, re.M)
    if not match:
        raise SystemExit(f"{colab_dir / 'os-info.txt'}: no 'Python X.Y.Z' line")
    return match.group(1)


def resolve_closure(python: str, packages: list[str], pins: dict[str, str]) -> dict[str, str]:
    """What pip would install for ``packages`` under ``pins`` (a fresh environment): name -> version."""
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "colab.txt"
        constraints.write_text("".join(f"{n}=={v}\n" for n, v in sorted(pins.items())), encoding="utf-8")
        report = Path(tmp) / "report.json"
        _run([python, "-m", "pip", "install", "--dry-run", "--ignore-installed", "-qq",
              "--report", str(report), "-c", str(constraints), *packages])
        data = json.loads(report.read_text(encoding="utf-8"))
    return {canonical(i["metadata"]["name"]): i["metadata"]["version"] for i in data["install"]}


def render_constraints(closure: dict[str, str], cpu: dict[str, str], gpu: dict[str, str],
                       source: str, python: str, today: str) -> str:
    """Text of constraints-colab.txt for the packages in ``closure``."""
    lines = [
        "# Google Colab's versions of the packages the course, its Jupyter kernel and the test harness",
        "# pull in: pins of the CPU runtime, with '# gpu: X' where the GPU runtime differs.",
        f"# Source: {source} (../shared/colab/pip-freeze.txt and pip-freeze.gpu.txt).",
        f"# Generated on {today} by `python tools/colab_env.py lock`; used by `make test-colab`",
        "# and tests/test_colab_bounds.py. Regenerate when Google publishes a newer list.",
        f"# python: {python}",
    ]
    absent = []
    for name in sorted(closure):
        if name in cpu:
            note = ""
            if gpu.get(name) != cpu[name]:
                note = f"  # gpu: {gpu.get(name, 'absent')}"
            lines.append(f"{name}=={cpu[name]}{note}")
        elif name in gpu:
            lines.append(f"# gpu only: {name}=={gpu[name]}")
        else:
            absent.append(name)
    lines.append("# Installed by `make test-colab` at the newest version that fits, as Colab lacks them:")
    lines.append("# not in colab: " + " ".join(absent))
    return "\n".join(lines) + "\n"


def lock(colab_dir: Path, python: str | None) -> int:
    cpu = parse_freeze((colab_dir / "pip-freeze.txt").read_text(encoding="utf-8"))
    gpu = parse_freeze((colab_dir / "pip-freeze.gpu.txt").read_text(encoding="utf-8"))
    colab_python = _os_python(colab_dir)
    interpreter = find_python(colab_python, python)
    closure = resolve_closure(interpreter, base_packages(), cpu)
    text = render_constraints(closure, cpu, gpu, _source_note(colab_dir), colab_python,
                              dt.date.today().isoformat())
    CONSTRAINTS.write_text(text, encoding="utf-8")
    print(f"{CONSTRAINTS.name}: {sum(n in cpu for n in closure)} Colab pins written")
    return 0


# ----------------------------------------------------------------------------- environment

def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("check", True)
    return subprocess.run(cmd, **kwargs)


def find_python(version: str, explicit: str | None = None) -> str:
    """An interpreter of Colab's Python ``major.minor``: ``explicit``, $COLAB_PYTHON, PATH, pyenv."""
    minor = ".".join(version.split(".")[:2])
    candidates = [explicit, os.environ.get("COLAB_PYTHON"), shutil.which(f"python{minor}")]
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    found = sorted(glob.glob(str(pyenv / f"{minor}.*" / "bin" / "python3")),
                   key=lambda p: [int(x) for x in re.findall(r"\d+", Path(p).parent.parent.name)])
    candidates += found[::-1]
    for candidate in filter(None, candidates):
        out = subprocess.run([candidate, "-c", "import platform; print(platform.python_version())"],
                             capture_output=True, text=True)
        if out.returncode == 0 and out.stdout.strip().startswith(minor + "."):
            return candidate
    raise SystemExit(f"Colab runs Python {version}: no python{minor} found "
                     f"(install it, or point COLAB_PYTHON at one)")


def venv_key(constraints_text: str, interpreter: str) -> str:
    """Cache key of the environment: the constraints, the base packages and the interpreter."""
    text = "\n".join([constraints_text, " ".join(sorted(map(canonical, base_packages()))), interpreter])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def venv_python(venv: Path) -> Path:
    return venv / "bin" / "python"


def installed(python: Path) -> dict[str, str]:
    """``{canonical name: version}`` of every distribution in the environment of ``python``."""
    code = ("import importlib.metadata as m, json; print(json.dumps("
            "{d.metadata['Name']: d.version for d in m.distributions() if d.metadata['Name']}))")
    out = _run([str(python), "-c", code], capture_output=True, text=True).stdout
    return {canonical(k): v for k, v in json.loads(out).items()}


def build_venv(venv: Path, interpreter: str, colab: ColabVersions) -> None:
    """Create the environment with Colab's versions of the base packages (reused once complete)."""
    if (venv / VENV_MARK).is_file() and venv_python(venv).exists():
        print(f"Reusing {venv}")
        return
    if venv.exists():
        shutil.rmtree(venv)
    if venv.parent == CACHE_DIR:  # environments of older constraints files: disk is finite
        for old in CACHE_DIR.glob("venv-*"):
            shutil.rmtree(old, ignore_errors=True)
    print(f"Building {venv} with {interpreter}")
    _run([interpreter, "-m", "venv", str(venv)])
    _run([str(venv_python(venv)), "-m", "pip", "install", "-qq", "-c", str(CONSTRAINTS), *base_packages()])
    (venv / VENV_MARK).write_text(CONSTRAINTS.read_text(encoding="utf-8"), encoding="utf-8")


WARM_LIBROSA = """
import importlib, pkgutil, librosa
for mod in pkgutil.walk_packages(librosa.__path__, "librosa."):
    if ".tests" not in mod.name:
        importlib.import_module(mod.name)
"""


def warm_numba_cache(venv: Path) -> None:
    """Compile and cache librosa's numba gufuncs in one process, once per environment.

    Two kernels compiling the same ``@guvectorize(cache=True)`` functions at once can write
    mismatched cache files that segfault every later run (numba issue #10128): the lessons run
    two at a time, so the cache is filled beforehand, from scratch, by a single process.
    """
    if (venv / NUMBA_MARK).is_file():
        return
    for cached in venv.glob("lib/python*/site-packages/librosa/**/__pycache__/*.nb[ic]"):
        cached.unlink()
    _run([str(venv_python(venv)), "-c", WARM_LIBROSA])
    (venv / NUMBA_MARK).touch()


def check_venv_matches(env: dict[str, str], colab: ColabVersions, full: dict[str, str] | None) -> list[str]:
    """Packages of the environment Colab has at another version (should be none)."""
    problems = []
    for name, version in sorted(env.items()):
        expected = colab.versions(name) or ({full[name]} if full and name in full else set())
        if expected and version not in expected:
            problems.append(f"{name} {version} (Colab: {' / '.join(sorted(expected))})")
    return problems


@dataclass
class InstallPlan:
    """What ``pip install`` of the package would do to the Colab environment."""

    changes: list[str]   # packages Colab has that pip would install at another version
    new: list[str]       # packages Colab lacks
    reinstalls: list[str]  # Colab's packages at Colab's version missing from the environment


def classify_report(report: dict, env: dict[str, str], colab: ColabVersions,
                    full: dict[str, str] | None = None) -> InstallPlan:
    """Sort pip's ``--report`` install list by what it means for Colab's own packages."""
    plan = InstallPlan([], [], [])
    for item in report.get("install", []):
        name, version = canonical(item["metadata"]["name"]), item["metadata"]["version"]
        if name == PACKAGE:
            continue
        known = colab.versions(name) or ({full[name]} if full and name in full else set())
        if not known:
            plan.new.append(f"{name} {version}")
        elif version not in known:
            before = env.get(name) or " / ".join(sorted(known))
            plan.changes.append(f"{name} {before} -> {version}")
        else:
            plan.reinstalls.append(f"{name} {version}")
    return plan


CLOSURE_CODE = """
import importlib.metadata as m, json, sys
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
seen, todo = {}, [sys.argv[1]]
while todo:
    name = canonicalize_name(todo.pop())
    if name in seen:
        continue
    try:
        dist = m.distribution(name)
    except m.PackageNotFoundError:
        continue
    seen[name] = dist.version
    for spec in dist.requires or []:
        req = Requirement(spec)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            todo.append(req.name)
print(json.dumps(seen))
"""


def dependency_closure(python: Path, package: str) -> dict[str, str]:
    out = _run([str(python), "-c", CLOSURE_CODE, package], capture_output=True, text=True).stdout
    return json.loads(out)


COLAB_STUB = 'import sys, types\nsys.modules.setdefault("google.colab", types.ModuleType("google.colab"))'
PROBE_CELL = ("import sys, platform, IPython, course_utils\n"
              "print(sys.executable, platform.python_version(), IPython.__version__, course_utils.__file__)")
RUN_CELLS = """
import json, sys
import nbclient, nbformat
from tools.notebook_harness import IPCKernelManager
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in json.loads(sys.argv[1])])
nbclient.NotebookClient(nb, kernel_name="python3", kernel_manager_class=IPCKernelManager, timeout=600,
                        resources={"metadata": {"path": "notebooks"}}).execute()
streams = [{n: "".join(o.get("text", "") for o in c.outputs if o.get("name") == n) for n in ("stdout", "stderr")}
           for c in nb.cells]
print(json.dumps(streams))
"""


def colab_setup_cell(root: Path = ROOT) -> str:
    """The lessons' setup cell, installing this checkout instead of the GitHub repository."""
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    from tools.sync_notebooks import load_config, setup_source

    cfg = load_config(root)
    cell = setup_source(cfg)
    url = f"git+{cfg.repository}@{cfg.branch}"
    if url not in cell:
        raise SystemExit(f"tools/sync_notebooks.py: the setup cell no longer installs {url}")
    return cell.replace(url, root.as_uri())


def run_cells(python: Path, cells: list[str], env: dict[str, str]) -> list[dict[str, str]]:
    """Run ``cells`` in a kernel started as the harness does; each cell's stdout and stderr."""
    out = subprocess.run([str(python), "-c", RUN_CELLS, json.dumps(cells)], capture_output=True,
                         text=True, cwd=ROOT, env=env)
    if out.returncode:
        raise SystemExit("The Colab kernel failed:\n" + out.stdout[-3000:] + out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def check_kernel(probe_stdout: str, venv: Path) -> str:
    """The kernel runs in ``venv`` and imports the installed course_utils, not the checkout's."""
    executable, version, ipython, package_file = probe_stdout.strip().splitlines()[-1].split()
    problems = []
    if not Path(executable).is_relative_to(venv) and not Path(executable).resolve().is_relative_to(venv.resolve()):
        problems.append(f"the kernel runs {executable}, not the Colab environment's python")
    if ROOT in Path(package_file).resolve().parents:
        problems.append(f"the kernel imports course_utils from the checkout ({package_file})")
    if problems:
        raise SystemExit("Kernel check failed: " + "; ".join(problems))
    return f"kernel: Python {version}, IPython {ipython} ({executable}); course_utils from {package_file}"


def load_full_freeze(colab_dir: Path) -> dict[str, str] | None:
    """Every package of Colab's CPU and GPU lists (when ../shared/colab is there), else None."""
    files = [colab_dir / "pip-freeze.txt", colab_dir / "pip-freeze.gpu.txt"]
    if not all(f.is_file() for f in files):
        return None
    merged: dict[str, str] = {}
    for f in files[::-1]:
        merged.update(parse_freeze(f.read_text(encoding="utf-8")))
    return merged


def test(args: argparse.Namespace) -> int:
    start = time.perf_counter()
    colab = read_constraints()
    full = load_full_freeze(args.colab_dir)
    interpreter = find_python(colab.python, args.python)
    key = venv_key(CONSTRAINTS.read_text(encoding="utf-8"), str(Path(interpreter).resolve()))
    venv = Path(args.venv or os.environ.get("COLAB_VENV") or CACHE_DIR / f"venv-{key}")
    build_venv(venv, interpreter, colab)
    warm_numba_cache(venv)
    python = venv_python(venv)
    step = time.perf_counter()
    print(f"== Colab environment ready ({step - start:.0f} s): "
          + _run([str(python), "--version"], capture_output=True, text=True).stdout.strip()
          + f" (Colab: Python {colab.python})")

    before = installed(python)
    before.pop(PACKAGE, None)
    mismatched = check_venv_matches(before, colab, full)
    if mismatched:
        print("The environment differs from Colab (regenerate constraints-colab.txt with "
              "`python tools/colab_env.py lock`, or delete " + str(venv) + "):\n  " + "\n  ".join(mismatched))
        return 1
    if full is not None:
        missing = sorted(n for n in before if n in full and not colab.has(n))
        if missing:
            print("constraints-colab.txt lacks Colab's pins of " + ", ".join(missing)
                  + ": run `python tools/colab_env.py lock`")
            return 1

    # 1. What the setup cell's `pip install` would do, without doing it.
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        _run([str(python), "-m", "pip", "install", "--dry-run", "-qq", "--report", str(report_path), str(ROOT)])
        report = json.loads(report_path.read_text(encoding="utf-8"))
    plan = classify_report(report, before, colab, full)
    print(f"== pip install --dry-run of {ROOT.name} (as the setup cell does): "
          f"{len(report.get('install', []))} to install")
    if plan.changes:
        print("FAIL: installing course_utils would change packages Colab already has "
              "(lower the bound in pyproject.toml to Colab's version):\n  " + "\n  ".join(plan.changes))
        return 1
    if plan.reinstalls:
        print("Colab's packages missing from the environment (installed at Colab's version): "
              + ", ".join(plan.reinstalls))
    print("   no package Colab already has would be installed, upgraded or downgraded")

    # 2. Install it with the lessons' own setup cell (in a kernel that believes it is in Colab),
    #    check what the cell says and that nothing of Colab's moved.
    env = dict(os.environ, JUPYTER_PATH=str(venv / "share" / "jupyter"), PYTHONNOUSERSITE="1")
    env.pop("PYTHONPATH", None)
    _, setup, probe = run_cells(python, [COLAB_STUB, colab_setup_cell(), PROBE_CELL], env)
    said = [line for line in (setup["stdout"] + setup["stderr"]).splitlines()
            if line.startswith("pip ") or "ATENCIÓN" in line]
    print("   the setup cell says: " + (" / ".join(said) or "(nothing)"))
    if "ATENCIÓN" in setup["stderr"] or not any("no cambió ningún paquete" in line for line in said):
        print("FAIL: the setup cell did not confirm that Colab's packages are untouched:\n"
              + setup["stdout"] + setup["stderr"])
        return 1
    after = installed(python)
    moved = sorted(f"{n} {v} -> {after.get(n, 'removed')}" for n, v in before.items() if after.get(n) != v)
    if moved or PACKAGE not in after:
        print("FAIL: the setup cell's pip install changed the environment:\n  " + "\n  ".join(moved or ["course_utils not installed"]))
        return 1
    closure = dependency_closure(python, PACKAGE)
    added = sorted(f"{n} {v}" for n, v in closure.items()
                   if n != PACKAGE and not colab.has(n) and not (full and n in full))
    print("   packages pip would add to Colab: " + (", ".join(added) if added else "none"))

    # 3. The kernel the harness starts runs here; then every lesson in smoke mode.
    print("   " + check_kernel(probe["stdout"], venv))
    cmd = [str(python), "-m", "pytest", "tests/test_notebooks.py::test_notebook_smoke",
           "-p", "no:cacheprovider", "-n", str(args.workers)]
    if args.k:
        cmd += ["-k", args.k]
    print(f"== {' '.join(cmd[1:])} (in the Colab environment)", flush=True)
    result = subprocess.run(cmd, cwd=ROOT, env=env)
    print(f"== make test-colab: {time.perf_counter() - start:.0f} s in all "
          f"(environment {step - start:.0f} s)")
    return result.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("lock", "test"):
        p = sub.add_parser(name)
        p.add_argument("--colab-dir", type=Path, default=COLAB_DIR, help="Colab's published lists")
        p.add_argument("--python", help="Python interpreter of Colab's version (default: found)")
    t = sub.choices["test"]
    t.add_argument("--venv", help="environment folder (default: ~/.cache/course-colab/venv-<hash>)")
    t.add_argument("-n", "--workers", default=os.environ.get("WORKERS", "2"), help="pytest-xdist workers")
    t.add_argument("-k", help="pytest -k expression to pick lessons")
    args = parser.parse_args(argv)
    return lock(args.colab_dir, args.python) if args.command == "lock" else test(args)


if __name__ == "__main__":
    sys.exit(main())

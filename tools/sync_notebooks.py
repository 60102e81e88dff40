"""Regenerate what every notebook shares from pyproject's ``[tool.course]``.

For each ``notebooks/NN_tema.ipynb``: the Open-in-Colab badge of the first cell
(the title is kept), the ``setup``-tagged cell, cleared outputs and execution
counts, trimmed metadata and canonical JSON. It also rewrites the lesson table
of README.md between ``<!-- lessons:start -->`` and ``<!-- lessons:end -->``.

It also writes ``course_utils/models/<name>.py`` from the code cells tagged
``export:<name>``: a model (or the routine that trains it) is written once, in the
lesson that teaches it, and later lessons import it from the package. The cells of
one module come from one notebook, in order; they may only import, assign and define
(no calls at the top level), so importing the module runs no lesson code.

    python tools/sync_notebooks.py            # rewrite (``make notebooks``)
    python tools/sync_notebooks.py --check    # exit 1 and list what is stale
    python tools/sync_notebooks.py notebooks/03_x.ipynb   # only these notebooks (and README)
"""

from __future__ import annotations

import argparse
import ast
import copy
import hashlib
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = "notebooks"
README_START = "<!-- lessons:start -->"
README_END = "<!-- lessons:end -->"
BADGE_IMAGE = "https://colab.research.google.com/assets/colab-badge.svg"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
NOTEBOOK_METADATA_KEYS = {"kernelspec", "language_info", "course", "colab", "accelerator"}
CELL_METADATA_KEYS = {"tags", "jupyter"}
SETUP_TAG = "setup"
EXPORT_PREFIX = "export:"
EXPORT_PACKAGE = Path("course_utils") / "models"
EXPORT_MARK = "Generado por `make notebooks` a partir de"
# Deep-learning lessons ask Colab for a GPU runtime; the others run on Colab's CPU.
GPU_LESSONS = frozenset({"04", "05", "06", "07", "08", "09", "12"})
COLAB_GPU = {"accelerator": "GPU", "colab": {"gpuType": "T4"}}


@dataclass(frozen=True)
class CourseConfig:
    """Where the course lives: the git repository URL and the branch students open."""

    repository: str
    branch: str

    @property
    def github_path(self) -> str:
        """``owner/name`` of the GitHub repository."""
        match = re.match(r"^(?:https?://|git@)github\.com[/:]([^/]+/[^/]+?)(?:\.git)?/?$", self.repository)
        if not match:
            raise ValueError(f"[tool.course] repository is not a GitHub URL: {self.repository!r}")
        return match.group(1)

    def colab_url(self, filename: str) -> str:
        return (
            f"https://colab.research.google.com/github/{self.github_path}"
            f"/blob/{self.branch}/{NOTEBOOK_DIR}/{filename}"
        )

    def badge(self, filename: str) -> str:
        return f"[![Abrir en Colab]({BADGE_IMAGE})]({self.colab_url(filename)})"


def load_config(root: Path = ROOT) -> CourseConfig:
    """Read ``[tool.course]`` from ``root/pyproject.toml``."""
    with (root / "pyproject.toml").open("rb") as fh:
        course = tomllib.load(fh)["tool"]["course"]
    return CourseConfig(repository=course["repository"].rstrip("/"), branch=course["branch"])


def setup_source(cfg: CourseConfig) -> str:
    """The setup cell every lesson starts with."""
    return f"""\
# Colab: install course_utils from the repository; it keeps Colab's own packages, and one line
# says what pip installed (or warns, and says what to do, if pip changed a package Colab had).
# Locally: use this checkout when course_utils is not installed.
import sys

if "google.colab" in sys.modules:
    import importlib.metadata
    import tempfile

    preinstalled = {{d.metadata["Name"]: d.version for d in importlib.metadata.distributions()}}
    pip_report = tempfile.mkdtemp() + "/pip-report.json"
    %pip install -q --report {{pip_report}} "course_utils @ git+{cfg.repository}@{cfg.branch}"
    from course_utils.env import report_pip_install

    report_pip_install(pip_report, preinstalled)
else:
    try:
        import course_utils
    except ImportError:
        sys.path.insert(0, "..")

import course_utils

env = course_utils.setup()"""


def title_from_filename(filename: str) -> str:
    """``01_fundamentos_del_audio.ipynb`` -> ``# 01 · Fundamentos del audio``."""
    stem = Path(filename).stem
    number, _, topic = stem.partition("_")
    return f"# {number} · {topic.replace('_', ' ').capitalize()}"


def notebook_title(nb: nbformat.NotebookNode) -> str | None:
    """The ``# ...`` title line of the first cell, if any."""
    if nb.cells and nb.cells[0].cell_type == "markdown":
        for line in nb.cells[0].source.splitlines():
            if line.strip():
                return line.strip() if line.startswith("# ") else None
    return None


def _first_cell(nb: nbformat.NotebookNode, filename: str, cfg: CourseConfig) -> None:
    title = notebook_title(nb)
    if title is None:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(""))
        title, rest = title_from_filename(filename), ""
    else:
        lines = nb.cells[0].source.splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip()) + 1
        rest = "\n".join(line for line in lines[start:] if "colab.research.google.com" not in line)
        rest = rest.strip("\n")
    nb.cells[0].source = f"{title}\n\n{cfg.badge(filename)}" + (f"\n\n{rest}" if rest.strip() else "")


def _setup_cell(nb: nbformat.NotebookNode, cfg: CourseConfig) -> None:
    index = next(
        (i for i, c in enumerate(nb.cells) if SETUP_TAG in c.get("metadata", {}).get("tags", [])), None
    )
    if index is None and len(nb.cells) > 1 and nb.cells[1].cell_type == "code":
        # An empty cell (or an older setup cell) right after the title is the placeholder.
        src = nb.cells[1].source
        if not src.strip() or "google.colab" in src or "course_utils.setup" in src:
            index = 1
    cell = nb.cells.pop(index) if index is not None else nbformat.v4.new_code_cell()
    tags = [t for t in cell.metadata.get("tags", []) if t != SETUP_TAG]
    cell.metadata["tags"] = [SETUP_TAG, *tags]
    cell.source = setup_source(cfg)
    nb.cells.insert(1, cell)


def _colab_runtime(meta: dict, filename: str) -> None:
    """``accelerator: GPU`` (and Colab's ``gpuType``) for the GPU lessons, none for the others."""
    colab = {k: v for k, v in dict(meta.pop("colab", {}) or {}).items() if k != "gpuType"}
    meta.pop("accelerator", None)
    if filename.split("_", 1)[0] in GPU_LESSONS:
        meta["accelerator"] = COLAB_GPU["accelerator"]
        colab.update(COLAB_GPU["colab"])
    if colab:
        meta["colab"] = colab


def _clean(nb: nbformat.NotebookNode, filename: str = "") -> None:
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 5))
    meta = {k: v for k, v in nb.metadata.items() if k in NOTEBOOK_METADATA_KEYS}
    meta["kernelspec"] = dict(KERNELSPEC)
    meta["language_info"] = {"name": "python"}
    _colab_runtime(meta, filename)
    nb.metadata = nbformat.from_dict(meta)
    seen: set[str] = set()
    for i, cell in enumerate(nb.cells):
        cell.metadata = nbformat.from_dict(
            {k: v for k, v in cell.get("metadata", {}).items() if k in CELL_METADATA_KEYS and v}
        )
        if "tags" in cell.metadata:
            cell.metadata["tags"] = list(dict.fromkeys(cell.metadata["tags"]))
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if not cell.get("id") or cell.id in seen:
            digest = hashlib.sha1(f"{i}:{cell.source}".encode()).hexdigest()[:8]
            cell.id = digest if digest not in seen else f"{digest}-{i}"
        seen.add(cell.id)


def canonical(nb: nbformat.NotebookNode, filename: str, cfg: CourseConfig) -> nbformat.NotebookNode:
    """A copy of ``nb`` with the shared cells regenerated and outputs and noise removed."""
    nb = copy.deepcopy(nb)
    _first_cell(nb, filename, cfg)
    _setup_cell(nb, cfg)
    _clean(nb, filename)
    return nb


def dumps(nb: nbformat.NotebookNode) -> str:
    """Canonical text of a notebook: what ``nbformat.write`` produces (indent 1, sorted keys)."""
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def canonical_text(path: Path, cfg: CourseConfig) -> str:
    return dumps(canonical(nbformat.read(path, as_version=4), path.name, cfg))


class ExportError(ValueError):
    """An ``export:`` cell that cannot become a module (bad name, top-level call, two notebooks)."""


def export_name(tag: str) -> str | None:
    """``"export:gender"`` -> ``"gender"``; None for other tags."""
    if not tag.startswith(EXPORT_PREFIX):
        return None
    name = tag[len(EXPORT_PREFIX):]
    if not name.isidentifier() or name.startswith("_") or not name.islower():
        raise ExportError(f"bad export tag {tag!r}: use export:<lowercase module name>")
    return name


_ALLOWED_TOP_LEVEL = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                      ast.ClassDef, ast.Assign, ast.AnnAssign)


def _check_export_source(source: str, where: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ExportError(f"{where}: not valid Python ({exc.msg}, line {exc.lineno})") from exc
    for node in tree.body:
        is_docstring = isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
        if not (isinstance(node, _ALLOWED_TOP_LEVEL) or is_docstring):
            raise ExportError(
                f"{where}, line {node.lineno}: an export cell may only import, assign and define "
                f"(found {type(node).__name__}); move calls such as model.summary() to the next cell"
            )


def exported_cells(path: Path) -> dict[str, list[str]]:
    """Sources of the ``export:<name>`` cells of one notebook, by module name, in order."""
    nb = nbformat.read(path, as_version=4)
    modules: dict[str, list[str]] = {}
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for tag in cell.get("metadata", {}).get("tags", []):
            name = export_name(tag)
            if name is not None:
                _check_export_source(cell.source, f"{path.name} cell {index}")
                modules.setdefault(name, []).append(cell.source.strip("\n"))
    return modules


def module_text(name: str, notebook: str, sources: list[str]) -> str:
    """The generated module: a header naming the lesson, then its cells in order."""
    header = (
        f'"""Código de la lección {notebook} (celdas con la etiqueta export:{name}).\n\n'
        f"{EXPORT_MARK} notebooks/{notebook}: no lo edites aquí. Edita esas celdas\n"
        'en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.\n"""\n'
    )
    body = "\n\n\n".join(sources)
    return f"{header}\n{body}\n"


def exported_modules(root: Path = ROOT) -> dict[Path, str]:
    """Every generated module's path (relative to ``root``) and expected text."""
    owners: dict[str, str] = {}
    modules: dict[Path, str] = {}
    for path in notebook_paths(root):
        for name, sources in exported_cells(path).items():
            if name in owners:
                raise ExportError(
                    f"export:{name} is used by {owners[name]} and {path.name}: one lesson owns a module"
                )
            owners[name] = path.name
            modules[EXPORT_PACKAGE / f"{name}.py"] = module_text(name, path.name, sources)
    return modules


def sync_exports(root: Path = ROOT, check: bool = False) -> list[str]:
    """Write (or compare) the generated modules and remove generated ones no lesson exports."""
    stale = []
    expected = exported_modules(root)
    package = root / EXPORT_PACKAGE
    for relative, text in expected.items():
        target = root / relative
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            stale.append(str(relative))
            if not check:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(text, encoding="utf-8")
    if package.is_dir():
        for target in sorted(package.glob("*.py")):
            relative = target.relative_to(root)
            if relative in expected:
                continue
            if EXPORT_MARK in target.read_text(encoding="utf-8")[:400]:
                stale.append(f"{relative} (no lesson exports it any more)")
                if not check:
                    target.unlink()
    return stale


def notebook_paths(root: Path = ROOT) -> list[Path]:
    return sorted((root / NOTEBOOK_DIR).glob("*.ipynb"))


def lessons_table(paths: list[Path], cfg: CourseConfig) -> str:
    """Markdown table of the lessons with links and Colab badges."""
    rows = ["| N.º | Lección | Abrir en Colab |", "|:---:|---|:---:|"]
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        title = notebook_title(nb) or title_from_filename(path.name)
        name = re.sub(r"^#\s*\d+\s*[·.:-]?\s*", "", title).strip()
        number = path.name.split("_", 1)[0]
        rows.append(f"| {number} | [{name}]({NOTEBOOK_DIR}/{path.name}) | {cfg.badge(path.name)} |")
    return "\n".join(rows)


def readme_with_table(readme: str, table: str) -> str | None:
    """README text with the lesson table replaced, or None if the markers are missing."""
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(readme):
        return None
    return pattern.sub(lambda _: f"{README_START}\n{table}\n{README_END}", readme, count=1)


def sync(root: Path = ROOT, check: bool = False, only: list[Path] | None = None) -> list[str]:
    """Rewrite (or, with ``check``, only compare) notebooks and README; return the stale ones.

    ``only`` limits the notebooks rewritten or checked (the README table lists them all).
    """
    cfg = load_config(root)
    stale = []
    paths = notebook_paths(root)
    selected = {p.resolve() for p in only} if only else None
    for path in paths:
        if selected is not None and path.resolve() not in selected:
            continue
        text = canonical_text(path, cfg)
        if path.read_text(encoding="utf-8") != text:
            stale.append(str(path.relative_to(root)))
            if not check:
                path.write_text(text, encoding="utf-8")
    readme = root / "README.md"
    if readme.is_file():
        current = readme.read_text(encoding="utf-8")
        updated = readme_with_table(current, lessons_table(paths, cfg))
        if updated is None:
            stale.append(f"README.md (missing {README_START} / {README_END})")
        elif updated != current:
            stale.append("README.md")
            if not check:
                readme.write_text(updated, encoding="utf-8")
    stale.extend(sync_exports(root, check=check))
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only report stale files (exit 1)")
    parser.add_argument("--root", type=Path, default=ROOT, help="repository root")
    parser.add_argument("notebooks", nargs="*", type=Path, help="only these notebooks (default: all)")
    args = parser.parse_args(argv)
    stale = sync(args.root, check=args.check, only=args.notebooks or None)
    if args.check:
        if stale:
            print("Stale (run `make notebooks`):\n  " + "\n  ".join(stale))
            return 1
        print("Notebooks, README and course_utils/models are in sync.")
        return 0
    for name in stale:
        print(f"warning: {name}" if "missing" in name else f"updated {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

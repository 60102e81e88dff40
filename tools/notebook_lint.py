"""Lint rules for lesson notebooks, shared by ``tests/test_notebook_lint.py`` and the CLI.

Every ``lint_*`` function returns a list of human-readable problems (empty when
the notebook follows the conventions of COURSE.md).

    python tools/notebook_lint.py            # lint notebooks/*.ipynb, exit 1 on problems
"""

from __future__ import annotations

import ast
import io
import re
import sys
import tokenize
from pathlib import Path

import nbformat

if __package__ in (None, ""):  # run as a script: make ``tools`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.sync_notebooks import (  # noqa: E402
    ROOT,
    SETUP_TAG,
    CourseConfig,
    canonical_text,
    lessons_table,
    load_config,
    notebook_paths,
    readme_with_table,
    setup_source,
)

NAME_RE = re.compile(r"^(\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
TITLE_RE = re.compile(r"^# (\d{2}) · \S")
ABSOLUTE_PATH_RE = re.compile(
    r"(?<![\w.:/~-])/(?:home|tmp|Users|content|root|mnt|media|var|opt|srv|data|Volumes|private)/"
    r"|(?:(?<=[\"'])|^)[A-Za-z]:(?:\\\\|\\|/)(?=\w)"  # C:\\Users at the start of a string
    r"|(?<![\w/])~/"
)
INSTALL_RE = re.compile(r"\b(?:pip3?|conda|mamba|micromamba|apt|apt-get)\b[^\n]*\binstall\b")
STRING_TOKENS = {tokenize.STRING} | ({tokenize.FSTRING_MIDDLE} if hasattr(tokenize, "FSTRING_MIDDLE") else set())


def _tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _code_cells(nb: nbformat.NotebookNode, skip_setup: bool = True):
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and not (skip_setup and SETUP_TAG in _tags(cell)):
            yield index, cell


def lint_names(paths: list[Path]) -> list[str]:
    """``NN_tema.ipynb`` (lowercase ASCII, underscores), numbers unique and contiguous from 00."""
    problems = []
    numbers: dict[int, list[str]] = {}
    for path in paths:
        match = NAME_RE.match(path.name)
        if not match:
            problems.append(f"{path.name}: name must look like NN_tema.ipynb (lowercase ASCII, underscores)")
            continue
        numbers.setdefault(int(match.group(1)), []).append(path.name)
    for number, names in sorted(numbers.items()):
        if len(names) > 1:
            problems.append(f"number {number:02d} is used by {', '.join(names)}")
    missing = [f"{n:02d}" for n in range(max(numbers, default=-1) + 1) if n not in numbers]
    if missing:
        problems.append(f"lesson numbers must be contiguous from 00; missing {', '.join(missing)}")
    return problems


def lint_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """No outputs or execution counts are committed."""
    return [
        f"cell {i}: has outputs or an execution count (clear them: `make notebooks`)"
        for i, cell in _code_cells(nb, skip_setup=False)
        if cell.get("outputs") or cell.get("execution_count") is not None
    ]


def _assignments(source: str) -> dict[str, object]:
    values: dict[str, object] = {}
    for node in ast.parse(source).body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        for target in targets:
            if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
                try:
                    values[target.id] = ast.literal_eval(node.value)
                except ValueError:
                    values[target.id] = node.value
    return values


def lint_parameters(nb: nbformat.NotebookNode) -> list[str]:
    """One ``parameters`` cell, the first code cell after setup, with ``SMOKE = False``
    and ``DATA_SOURCE = "real"`` (the harness injects the smoke values)."""
    cells = [(i, c) for i, c in _code_cells(nb) if "parameters" in _tags(c)]
    if len(cells) != 1:
        return [f"needs exactly one code cell tagged 'parameters' (found {len(cells)})"]
    index, cell = cells[0]
    problems = []
    first_code = next((i for i, _ in _code_cells(nb)), None)
    if index != first_code:
        problems.append(f"cell {index}: the parameters cell must be the first code cell after setup")
    try:
        values = _assignments(cell.source)
    except SyntaxError as exc:
        return [f"cell {index}: parameters cell is not valid Python ({exc.msg})"]
    if values.get("SMOKE", None) is not False:
        problems.append(f"cell {index}: parameters cell must define SMOKE = False")
    if values.get("DATA_SOURCE", None) != "real":
        problems.append(f'cell {index}: parameters cell must define DATA_SOURCE = "real"')
    return problems


def lint_badge(nb: nbformat.NotebookNode, filename: str, cfg: CourseConfig) -> list[str]:
    """First cell: ``# NN · Título`` and the Colab badge of this very file."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return ["the first cell must be markdown with the title and the Colab badge"]
    source = nb.cells[0].source
    problems = []
    first_line = source.lstrip().splitlines()[0] if source.strip() else ""
    match = TITLE_RE.match(first_line)
    if not match:
        problems.append(f"first cell must start with '# NN · Título', found {first_line!r}")
    elif not filename.startswith(match.group(1) + "_"):
        problems.append(f"title number {match.group(1)} does not match the file name {filename}")
    if cfg.badge(filename) not in source:
        problems.append(f"first cell lacks the Colab badge for {cfg.colab_url(filename)}")
    urls = re.findall(r"https://colab\.research\.google\.com/github/[^)\s]+", source)
    for url in urls:
        if url != cfg.colab_url(filename):
            problems.append(f"Colab link points elsewhere: {url}")
    return problems


def lint_setup_cell(nb: nbformat.NotebookNode, cfg: CourseConfig) -> list[str]:
    """Cell 2 is the ``setup``-tagged cell exactly as ``sync_notebooks`` writes it."""
    indices = [i for i, c in enumerate(nb.cells) if SETUP_TAG in _tags(c)]
    if indices != [1]:
        return [f"needs exactly one 'setup'-tagged cell, the second one (found at {indices})"]
    cell = nb.cells[1]
    if cell.cell_type != "code" or cell.source != setup_source(cfg):
        return ["the setup cell differs from the generated one (run `make notebooks`)"]
    return []


def lint_kernelspec(nb: nbformat.NotebookNode) -> list[str]:
    name = nb.metadata.get("kernelspec", {}).get("name")
    return [] if name == "python3" else [f"kernelspec must be python3, found {name!r}"]


def _string_literals(source: str) -> list[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return [code]  # not tokenizable: scan everything
    return [tok.string for tok in tokens if tok.type in STRING_TOKENS]


def lint_absolute_paths(nb: nbformat.NotebookNode) -> list[str]:
    """No absolute or home-relative paths in the code (outside the setup cell)."""
    problems = []
    for index, cell in _code_cells(nb):
        for literal in _string_literals(cell.source):
            match = ABSOLUTE_PATH_RE.search(literal)
            if match:
                problems.append(f"cell {index}: absolute path {literal.strip()[:60]!r}; use paths from course_utils")
    return problems


def lint_pip_install(nb: nbformat.NotebookNode) -> list[str]:
    """No package installation outside the setup cell."""
    return [
        f"cell {index}: installs packages ({match.group(0)[:50]!r}); only the setup cell may install"
        for index, cell in _code_cells(nb)
        for match in [INSTALL_RE.search(cell.source)]
        if match
    ]


def lint_canonical(path: Path, cfg: CourseConfig) -> list[str]:
    """The file is byte-identical to what ``sync_notebooks`` writes."""
    if path.read_text(encoding="utf-8") != canonical_text(path, cfg):
        return [f"{path.name} is not canonical (outputs, metadata, badge or setup cell): run `make notebooks`"]
    return []


def lint_readme(readme: str, paths: list[Path], cfg: CourseConfig) -> list[str]:
    """README's lesson table lists exactly the notebooks present."""
    updated = readme_with_table(readme, lessons_table(paths, cfg))
    if updated is None:
        return ["README.md lacks the <!-- lessons:start --> / <!-- lessons:end --> markers"]
    return [] if updated == readme else ["README.md lesson table is stale: run `make notebooks`"]


def lint_notebook(path: Path, cfg: CourseConfig) -> list[str]:
    """Every per-notebook rule."""
    nb = nbformat.read(path, as_version=4)
    problems = []
    for rule in (lint_outputs, lint_parameters, lint_kernelspec, lint_absolute_paths, lint_pip_install):
        problems += rule(nb)
    problems += lint_badge(nb, path.name, cfg) + lint_setup_cell(nb, cfg) + lint_canonical(path, cfg)
    return problems


def main(root: Path = ROOT) -> int:
    cfg = load_config(root)
    paths = notebook_paths(root)
    problems = lint_names(paths)
    for path in paths:
        problems += [f"{path.name}: {p}" for p in lint_notebook(path, cfg)]
    readme = root / "README.md"
    if readme.is_file():
        problems += lint_readme(readme.read_text(encoding="utf-8"), paths, cfg)
    for problem in problems:
        print(problem)
    print(f"{len(paths)} notebooks, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

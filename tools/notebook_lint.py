"""Lint rules for lesson notebooks, shared by ``tests/test_notebook_lint.py`` and the CLI.

Every ``lint_*`` function returns a list of human-readable problems (empty when
the notebook follows the conventions of COURSE.md).

    python tools/notebook_lint.py            # lint notebooks/*.ipynb, exit 1 on problems
    python tools/notebook_lint.py --wording [NOTEBOOK...]  # only the glossary and source-citation rules

``lint_notebook`` (``make lint``, ``tests/test_notebook_lint.py``) runs every rule, wording included.

The wording rules read their variants from GLOSARIO.md (the ``Evitar`` column between the
``glosario:inicio`` / ``glosario:fin`` markers): that table is their only source of truth.
"""

from __future__ import annotations

import ast
import functools
import io
import re
import sys
import tokenize
import unicodedata
from dataclasses import dataclass
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


# --- wording: one term per concept (GLOSARIO.md) and sources cited by author and title ------

GLOSSARY = ROOT / "GLOSARIO.md"
GLOSSARY_START = "<!-- glosario:inicio -->"
GLOSSARY_END = "<!-- glosario:fin -->"
AVOID_COLUMN = "evitar"


@dataclass(frozen=True)
class Variant:
    """A wording to avoid (``phrase``) and the glossary term to use instead."""

    phrase: str
    term: str
    pattern: re.Pattern
    gloss: re.Pattern  # the term (any ending), which may precede a gloss "(variant)"


def _plain(cell_text: str) -> str:
    return re.sub(r"[*`_]", "", cell_text).strip()


def _variant_pattern(phrase: str) -> re.Pattern:
    """Whole words, any whitespace between them, case-insensitive; not part of an identifier
    (``batch_size``, ``.batch(``, ``librosa.feature``, ``mini-batch`` for ``batch``) nor a keyword
    argument (``padding="same"``)."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<![\w\-./]){body}(?![\w\-(]|\.\w|\s*=(?!=))", re.IGNORECASE)


def _gloss_pattern(term: str) -> re.Pattern:
    """The term before any parenthesis, each word with any ending (``puntos de control`` for
    ``punto de control``); ``codificador, decodificador`` gives either."""
    forms = []
    for part in term.split("(")[0].split(","):
        words = re.sub(r"^(?:el|la|los|las)\s+", "", part.strip(), flags=re.IGNORECASE).split()
        if words:
            forms.append(r"\s+".join(re.escape(w[: max(3, len(w) - 2)]) + r"\w*" for w in words))
    return re.compile("|".join(forms), re.IGNORECASE)


def parse_glossary(text: str) -> list[Variant]:
    """Every variant of every table row between the glossary markers.

    A table counts when its header has an ``Evitar`` column; the row's first cell is the term to
    use and each `backticked` phrase of its ``Evitar`` cell is a variant.
    """
    start, end = text.find(GLOSSARY_START), text.find(GLOSSARY_END)
    if start < 0 or end < start:
        raise ValueError(f"the glossary lacks the {GLOSSARY_START} / {GLOSSARY_END} markers")
    variants: list[Variant] = []
    column = None
    for line in text[start:end].splitlines():
        line = line.strip()
        if not line.startswith("|"):
            column = None
            continue
        cells = [c.strip() for c in line.strip("|").split("|")]
        if column is None:
            names = [c.lower() for c in cells]
            column = names.index(AVOID_COLUMN) if AVOID_COLUMN in names else -1
            continue
        if column < 0 or set(line) <= set("|-: ") or len(cells) <= column:
            continue
        term = _plain(cells[0])
        for phrase in re.findall(r"`([^`]+)`", cells[column]):
            phrase = unicodedata.normalize("NFC", phrase.strip())
            variants.append(Variant(phrase, term, _variant_pattern(phrase), _gloss_pattern(term)))
    if not variants:
        raise ValueError("the glossary has no variants in an 'Evitar' column")
    return variants


@functools.lru_cache(maxsize=4)
def _glossary_from_text(text: str) -> tuple[Variant, ...]:
    return tuple(parse_glossary(text))


def load_glossary(path: Path = GLOSSARY) -> tuple[Variant, ...]:
    return _glossary_from_text(path.read_text(encoding="utf-8"))


FENCE_RE = re.compile(r"^\s*(```|~~~).*?^\s*\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.DOTALL)
MATH_RE = re.compile(r"\$\$.+?\$\$|\$[^$\n]+\$", re.DOTALL)
URL_RE = re.compile(r"https?://[^\s)>\]]+|\]\([^)]*\)|<[^<>\n]+>")
QUOTE_RE = re.compile(r"«[^«»]*»")  # a lecture's words or a title, quoted: not the course's wording
COMMENT_QUOTE_RE = re.compile(r"«[^«»]*»|`[^`]*`|\"[^\"\n]*\"|'[^'\n]*'")
REFERENCES_RE = re.compile(r"^(#{1,6})\s*(?:Referencias|Bibliografía|Fuentes|Lecturas)\b", re.IGNORECASE)
HEADING_RE = re.compile(r"^(#{1,6})\s")
PRAGMA_RE = re.compile(r"^\s*(?:noqa|type:|pragma|fmt:|ruff:|pylint:)", re.IGNORECASE)
CODE_KEYWORD_RE = re.compile(r"^\s*(?:def|class|return|import|from|for|while|if|elif|else|with|print|assert)\b")


def _without_references(source: str) -> str:
    """Drop ``## Referencias`` sections (titles stay in their own language)."""
    kept, level = [], None
    for line in source.splitlines():
        heading = HEADING_RE.match(line)
        if level is not None and heading and len(heading.group(1)) <= level:
            level = None
        if level is None:
            match = REFERENCES_RE.match(line)
            if match:
                level = len(match.group(1))
                continue
            kept.append(line)
    return "\n".join(kept)


def markdown_prose(source: str) -> str:
    """The wording of a markdown cell: no code, math, links, «quotes» or references; no emphasis marks."""
    text = _without_references(unicodedata.normalize("NFC", source))
    for rx in (FENCE_RE, INLINE_CODE_RE, MATH_RE, URL_RE, QUOTE_RE):
        text = rx.sub(" ", text)
    return text.replace("*", "")


def _comment_tokens(source: str) -> list[str]:
    from IPython.core.inputtransformer2 import TransformerManager

    code = TransformerManager().transform_cell(source)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return re.findall(r"#[^\n]*", code)
    return [tok.string for tok in tokens if tok.type == tokenize.COMMENT]


def _is_commented_code(text: str) -> bool:
    if CODE_KEYWORD_RE.match(text) and re.search(r"[=()\[\]:]", text):
        return True
    if not re.search(r"[=()\[\]]", text):
        return False
    try:
        ast.parse(text.strip())
    except SyntaxError:
        return False
    return True


def comment_prose(source: str) -> str:
    """The wording of a code cell's comments, one line each; commented-out code, pragmas and
    quoted names are left out."""
    lines = []
    for comment in _comment_tokens(source):
        text = unicodedata.normalize("NFC", comment.lstrip("#"))
        if PRAGMA_RE.match(text) or _is_commented_code(text):
            continue
        text = URL_RE.sub(" ", COMMENT_QUOTE_RE.sub(" ", text))
        lines.append(text.replace("*", ""))
    return "\n".join(lines)


def _glossed(text: str, start: int, variant: Variant) -> bool:
    """``exactitud (*accuracy*)``: the variant inside parentheses opened right after the term."""
    opening = text.rfind("(", 0, start)
    if opening < 0 or ")" in text[opening:start]:
        return False
    return variant.gloss.search(text[max(0, opening - 60):opening]) is not None


def find_variants(text: str, variants: tuple[Variant, ...] | list[Variant]) -> list[tuple[str, Variant, str]]:
    """(text found, variant, context) for each variant in ``text``; overlapping matches count once
    (the longest: «batch normalization», not also «batch»)."""
    hits = []
    for variant in variants:
        for match in variant.pattern.finditer(text):
            if not _glossed(text, match.start(), variant):
                hits.append((match.start(), match.end(), variant))
    found, last_end = [], -1
    for start, end, variant in sorted(hits, key=lambda h: (h[0], h[0] - h[1])):
        if start < last_end:
            continue
        last_end = end
        context = " ".join(text[max(0, start - 30):end + 30].split())
        found.append((" ".join(text[start:end].split()), variant, context))
    return found


def lint_glossary(nb: nbformat.NotebookNode, variants: tuple[Variant, ...] | None = None) -> list[str]:
    """Markdown and code comments use the glossary's terms, not the variants it lists under «Evitar»."""
    variants = load_glossary() if variants is None else variants
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            where, text = "markdown", markdown_prose(cell.source)
        elif cell.cell_type == "code" and SETUP_TAG not in _tags(cell):
            where, text = "comment", comment_prose(cell.source)
        else:
            continue
        for found, variant, context in find_variants(text, variants):
            problems.append(
                f'cell {index}: {where} says "{found}"; GLOSARIO.md term: "{variant.term}" (…{context}…)'
            )
    return problems


INTERNAL_SOURCE_RE = re.compile(
    r"\bsemillas?\s+(?:n\.?\s*º\s*)?0\d\d\b"  # «semilla 003»
    r"|\bseeds?[\s_-]*0\d\d\b"  # "seed 001", "seed_002"
    r"|(?<![\w.])(?:seeds?|semillas)/|\bshared/seeds\b"  # the lectures' folder
    r"|\b0\d\d_[0-9a-f]{16}\b",  # a lecture's file name
    re.IGNORECASE,
)


def lint_internal_sources(nb: nbformat.NotebookNode) -> list[str]:
    """Sources are cited by author and title, never by internal names («semilla 003», seeds/):
    in markdown (code spans too), comments and strings."""
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            texts = [cell.source]
        elif cell.cell_type == "code" and SETUP_TAG not in _tags(cell):
            texts = _comment_tokens(cell.source) + _string_literals(cell.source)
        else:
            continue
        for text in texts:
            for match in INTERNAL_SOURCE_RE.finditer(unicodedata.normalize("NFC", text)):
                problems.append(
                    f'cell {index}: cites a source by its internal name "{match.group(0)}"; '
                    "cite author and title (e.g. «el reporte de Evangelio Vergaray (2022)»)"
                )
    return problems


def lint_wording(nb: nbformat.NotebookNode) -> list[str]:
    """The glossary rule and the source-citation rule."""
    return lint_glossary(nb) + lint_internal_sources(nb)


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
    rules = (lint_outputs, lint_parameters, lint_kernelspec, lint_absolute_paths, lint_pip_install,
             lint_glossary, lint_internal_sources)
    for rule in rules:
        problems += rule(nb)
    problems += lint_badge(nb, path.name, cfg) + lint_setup_cell(nb, cfg) + lint_canonical(path, cfg)
    return problems


def main(root: Path = ROOT, wording_only: bool = False, only: list[Path] | None = None) -> int:
    cfg = load_config(root)
    paths = notebook_paths(root)
    if wording_only:
        paths = only or paths
        problems = [f"{path.name}: {p}" for path in paths for p in lint_wording(nbformat.read(path, as_version=4))]
        for problem in problems:
            print(problem)
        print(f"{len(paths)} notebooks, {len(problems)} wording problems")
        return 1 if problems else 0
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
    args = sys.argv[1:]
    sys.exit(main(wording_only="--wording" in args, only=[Path(a) for a in args if not a.startswith("--")]))

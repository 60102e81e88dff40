"""Notebook conventions (COURSE.md), checked on every lesson, and proof that each rule catches a bad notebook."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from tools import notebook_lint as lint
from tools import sync_notebooks as sync

CFG = sync.load_config()
NOTEBOOKS = sync.notebook_paths()
README = sync.ROOT / "README.md"
ids = [p.stem for p in NOTEBOOKS]


def good_notebook(filename: str = "07_identificacion_de_idioma.ipynb") -> nbformat.NotebookNode:
    """A minimal notebook that follows every convention."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 07 · Identificación de idioma"),
        nbformat.v4.new_code_cell(""),
        nbformat.v4.new_markdown_cell("## Objetivos\n\n- Aprender."),
        nbformat.v4.new_code_cell('SMOKE = False\nDATA_SOURCE = "real"\nEPOCHS = 2 if SMOKE else 20'),
        nbformat.v4.new_code_cell(
            'from pathlib import Path\nroot = course_utils.data.fetch("fleurs", source=DATA_SOURCE)\n'
            'url = "https://example.org/home/tmp/x"  # mentions /home/ in a comment only'
        ),
    ]
    nb.cells[3].metadata["tags"] = ["parameters"]
    return sync.canonical(nb, filename, CFG)


def save(nb: nbformat.NotebookNode, path: Path) -> Path:
    path.write_text(sync.dumps(nb), encoding="utf-8")
    return path


# --- the real notebooks -------------------------------------------------------------------


def test_notebook_names_are_numbered_contiguously():
    assert lint.lint_names(NOTEBOOKS) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=ids)
def test_notebook_follows_conventions(path):
    assert lint.lint_notebook(path, CFG) == []


def test_readme_lesson_table_is_current():
    assert lint.lint_readme(README.read_text(encoding="utf-8"), NOTEBOOKS, CFG) == []


# --- each rule catches a bad notebook -----------------------------------------------------


def test_good_notebook_passes(tmp_path):
    path = save(good_notebook(), tmp_path / "07_identificacion_de_idioma.ipynb")
    assert lint.lint_notebook(path, CFG) == []


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        (["00_a.ipynb", "01_B.ipynb"], "name must look like"),
        (["00_a.ipynb", "01 tema.ipynb"], "name must look like"),
        (["00_a.ipynb", "01_canción.ipynb"], "name must look like"),
        (["00_a.ipynb", "1_b.ipynb"], "name must look like"),
        (["00_a.ipynb", "00_b.ipynb"], "number 00 is used by"),
        (["00_a.ipynb", "02_b.ipynb"], "missing 01"),
        (["01_a.ipynb"], "missing 00"),
    ],
)
def test_names_rule(names, fragment):
    problems = lint.lint_names([Path(n) for n in names])
    assert any(fragment in p for p in problems), problems


def test_names_rule_accepts_good_names():
    assert lint.lint_names([Path("00_bienvenida.ipynb"), Path("01_fundamentos_del_audio.ipynb")]) == []


def test_outputs_rule():
    nb = good_notebook()
    nb.cells[4].outputs = [nbformat.v4.new_output("stream", text="hola")]
    assert lint.lint_outputs(nb) == ["cell 4: has outputs or an execution count (clear them: `make notebooks`)"]
    nb = good_notebook()
    nb.cells[3].execution_count = 7
    assert len(lint.lint_outputs(nb)) == 1


@pytest.mark.parametrize(
    ("source", "tagged", "fragment"),
    [
        ('SMOKE = False\nDATA_SOURCE = "real"', False, "exactly one code cell tagged 'parameters'"),
        ('DATA_SOURCE = "real"', True, "SMOKE = False"),
        ("SMOKE = True\nDATA_SOURCE = 'real'", True, "SMOKE = False"),
        ("SMOKE = False", True, 'DATA_SOURCE = "real"'),
        ('SMOKE = False\nDATA_SOURCE = "synthetic"', True, 'DATA_SOURCE = "real"'),
        ("SMOKE = (", True, "not valid Python"),
    ],
)
def test_parameters_rule(source, tagged, fragment):
    nb = good_notebook()
    nb.cells[3].source = source
    nb.cells[3].metadata["tags"] = ["parameters"] if tagged else []
    problems = lint.lint_parameters(nb)
    assert any(fragment in p for p in problems), problems


def test_parameters_must_come_first():
    nb = good_notebook()
    nb.cells.insert(3, nbformat.v4.new_code_cell("x = 1"))
    assert any("first code cell" in p for p in lint.lint_parameters(nb))


def test_badge_rule():
    filename = "07_identificacion_de_idioma.ipynb"
    nb = good_notebook()
    assert lint.lint_badge(nb, "08_otro_nombre.ipynb", CFG)  # badge of another file
    other = sync.CourseConfig(CFG.repository, "develop")
    assert lint.lint_badge(nb, filename, other)  # another branch
    nb.cells[0].source = nb.cells[0].source.replace("# 07 · ", "# Sin número ")
    assert any("must start with" in p for p in lint.lint_badge(nb, filename, CFG))
    nb = good_notebook()
    nb.cells[0].source = "# 07 · Título"
    assert any("lacks the Colab badge" in p for p in lint.lint_badge(nb, filename, CFG))
    nb = good_notebook()
    nb.cells[0].source = nb.cells[0].source.replace("# 07", "# 06")
    assert any("does not match" in p for p in lint.lint_badge(nb, filename, CFG))


def test_setup_cell_rule():
    nb = good_notebook()
    nb.cells[1].source += "\nimport os"
    assert lint.lint_setup_cell(nb, CFG) == ["the setup cell differs from the generated one (run `make notebooks`)"]
    nb = good_notebook()
    nb.cells[1].metadata["tags"] = []
    assert "exactly one 'setup'-tagged cell" in lint.lint_setup_cell(nb, CFG)[0]


def test_kernelspec_rule():
    nb = good_notebook()
    nb.metadata["kernelspec"]["name"] = "ir"
    assert lint.lint_kernelspec(nb) == ["kernelspec must be python3, found 'ir'"]


@pytest.mark.parametrize(
    "code",
    [
        'open("/home/ana/datos/audio.wav")',
        "Path('/tmp/features.npy')",
        'root = "/content/drive/MyDrive/course_data"',
        r'pd.read_csv("C:\\Users\\ana\\datos.csv")',
        'pd.read_csv("D:/datos.csv")',
        'Path("~/datos").expanduser()',
        "!ls /content/sample_data",
        'f"/home/{user}/x"',
    ],
)
def test_absolute_path_rule(code):
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(code))
    assert any("absolute path" in p for p in lint.lint_absolute_paths(nb)), code


def test_absolute_path_rule_allows_urls_comments_and_relative_paths():
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(
        'x = "https://example.org/tmp/a"  # /home/ana in a comment\n'
        'y = root / "recordings" / "0_george_0.wav"\nz = "../notebooks/tmp/"\n'
        'ratio = "8000/tmp"\n%matplotlib inline\nprint("salida = pesos @ V:\\n")'
    ))
    assert lint.lint_absolute_paths(nb) == []


@pytest.mark.parametrize(
    "code",
    ["%pip install librosa", "!pip install -q xgboost", "import subprocess\nsubprocess.run(['pip', 'install', 'x'])",
     "!apt-get install -y sox", "%conda install numpy"],
)
def test_pip_install_rule(code):
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_code_cell(code))
    assert any("only the setup cell may install" in p for p in lint.lint_pip_install(nb))


def test_pip_install_in_markdown_is_fine():
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("Localmente: `pip install -e .`"))
    assert lint.lint_pip_install(nb) == []


def test_canonical_rule(tmp_path):
    nb = good_notebook()
    nb.metadata["widgets"] = {"state": {}}
    path = tmp_path / "07_identificacion_de_idioma.ipynb"
    nbformat.write(nb, path)
    assert any("not canonical" in p for p in lint.lint_canonical(path, CFG))
    save(sync.canonical(nbformat.read(path, as_version=4), path.name, CFG), path)
    assert lint.lint_canonical(path, CFG) == []


def test_readme_rule(tmp_path):
    path = save(good_notebook(), tmp_path / "07_identificacion_de_idioma.ipynb")
    table = sync.lessons_table([path], CFG)
    good = f"# Curso\n\n{sync.README_START}\n{table}\n{sync.README_END}\n"
    assert lint.lint_readme(good, [path], CFG) == []
    assert lint.lint_readme(good.replace("Identificación", "Otra cosa"), [path], CFG)
    assert "markers" in lint.lint_readme("# Curso\n", [path], CFG)[0]
    assert "Identificación de idioma" in table and CFG.colab_url(path.name) in table

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


# --- wording: the glossary (GLOSARIO.md) and sources cited by author and title -----------

GLOSSARY = lint.load_glossary()


def wording_notebook(*cells: nbformat.NotebookNode) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 07 · Título"), *cells]
    return nb


def md(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_markdown_cell(source)


def code(source: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_code_cell(source)


def test_glossary_is_parsed_from_the_evitar_column():
    terms = {v.phrase: v.term for v in GLOSSARY}
    assert terms["accuracy"] == "exactitud"
    assert terms["trama"] == "frame"
    assert terms["desvío estándar"] == "desviación estándar"
    assert terms["grilla"] == "cuadrícula"  # the regional table too
    assert terms["la pipeline"] == "el pipeline"


def test_glossary_terms_are_not_variants():
    """Writing the chosen term (or its definition) never trips the rule, and each variant has one term."""
    phrases = [v.phrase.lower() for v in GLOSSARY]
    assert len(phrases) == len(set(phrases))
    for term in {v.term for v in GLOSSARY}:
        assert lint.find_variants(f"Aquí decimos {term} siempre.", GLOSSARY) == [], term


def test_glossary_needs_its_markers():
    with pytest.raises(ValueError, match="markers"):
        lint.parse_glossary("| Término | Evitar |\n|---|---|\n| lote | `batch` |\n")


def test_small_glossary():
    text = (
        "Texto\n<!-- glosario:inicio -->\n| Término | En inglés | Evitar |\n|---|---|---|\n"
        "| **lote** | batch | `batch`, `mini-lote` |\n| época | epoch | — |\n\n"
        "| Usa | Evitar | Por qué |\n|---|---|---|\n| cuadrícula | `grilla` | regional |\n"
        "<!-- glosario:fin -->\n| otro | `fuera` |\n"
    )
    variants = lint.parse_glossary(text)
    assert [(v.phrase, v.term) for v in variants] == [("batch", "lote"), ("mini-lote", "lote"), ("grilla", "cuadrícula")]


@pytest.mark.parametrize(
    ("text", "found", "term"),
    [
        ("Medimos la accuracy en validación.", "accuracy", "exactitud"),
        ("Una **Accuracy** de 0,9.", "Accuracy", "exactitud"),  # case and emphasis
        ("con tramas de 255 muestras", "tramas", "frame"),
        ("la media y el desvío\nestándar de cada coeficiente", "desvío estándar", "desviación estándar"),
        ("construir una *pipeline* de entrada", "una pipeline", "el pipeline"),
        ("y recién después en internet", "recién después", "solo después"),
        ("una epoca más", "epoca", "época"),  # accents matter
        ("con batch normalization", "batch normalization", "normalización por lotes"),  # longest match once
    ],
)
def test_glossary_flags_a_variant_in_markdown(text, found, term):
    problems = lint.lint_glossary(wording_notebook(md(text)), GLOSSARY)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f'cell 1: markdown says "{found}"; GLOSARIO.md term: "{term}"'), problems


@pytest.mark.parametrize(
    "text",
    [
        "Medimos la exactitud en validación, época tras época, con lotes de 32.",
        "La **exactitud** (*accuracy*: aciertos / total) y la **retropropagación** (*backpropagation*).",
        "Guardamos **puntos de control** (*checkpoints*).",
        "Con `metrics=[\"accuracy\"]` y `batch_size=32`; ```python\nmodel.fit(x, epochs=3)\n```",
        "La clase decía «la accuracy sube con más epochs».",
        "Usamos `BatchNorm`, `tf.data.Dataset.batch` y BatchNorm en el texto.",
        "Ver https://example.org/accuracy-and-epochs y [la guía](https://x.org/batch).",
        "Con $\\text{batch}$ de tamaño $B$.",
        "Texto.\n\n## Referencias\n\n- S. Ioffe y C. Szegedy, *Batch Normalization: Accelerating Deep Network Training*.",
        "Los frames, la partición de prueba y el *pipeline* de la lección 02.",
        "la batchería de pruebas; los tramos con sonido",  # other words that merely start alike
    ],
)
def test_glossary_allows_the_chosen_term_code_glosses_quotes_and_references(text):
    assert lint.lint_glossary(wording_notebook(md(text)), GLOSSARY) == []


def test_glossary_reads_comments_not_code_or_strings():
    nb = wording_notebook(code(
        "batch_size = 32  # lote de 32 ejemplos\n"
        "ds = ds.batch(batch_size)  # cada época ve todos los lotes\n"
        'print("accuracy", history.history["accuracy"])\n'
        "def loss(y, p):  # la pérdida\n    return (y - p) ** 2\n"
        '# conv = Conv2D(8, 3, padding="same")\n'
        "# noqa: E731\n"
        '# usa `epochs` y "accuracy" tal como los nombra Keras\n'
    ))
    assert lint.lint_glossary(nb, GLOSSARY) == []
    nb = wording_notebook(code("%matplotlib inline\nx = 1  # mezcla una vez por epoch\ny = 2  # la accuracy final"))
    problems = lint.lint_glossary(nb, GLOSSARY)
    assert [p.split(";")[0] for p in problems] == ['cell 1: comment says "epoch"', 'cell 1: comment says "accuracy"']


def test_glossary_skips_the_setup_cell():
    cell = code("# one epoch")
    cell.metadata["tags"] = [sync.SETUP_TAG]
    assert lint.lint_glossary(wording_notebook(cell), GLOSSARY) == []


@pytest.mark.parametrize(
    "cell",
    [
        md("Seguimos el informe del curso de verano (semilla 003)."),
        md("Como en las semillas 000 y 001."),
        md("Los apuntes están en `../shared/seeds/`."),
        code("# como la seed 002"),
        code('ruta = "seeds/004_efd188d0581eb4c6.txt"'),
        code('print("según 000_0e1c523eea74a03f")'),
    ],
)
def test_internal_source_names_are_flagged(cell):
    problems = lint.lint_internal_sources(wording_notebook(cell))
    assert problems and all("cites a source by its internal name" in p for p in problems), problems


@pytest.mark.parametrize(
    "cell",
    [
        md("Cambia la semilla de la partición: con la semilla 0 y la semilla 1234 cambian las cifras."),
        md("Según el reporte de Evangelio Vergaray (2022), el pipeline tiene ocho pasos."),
        code("SEED = 42  # semilla de la partición\nkeras.utils.set_random_seed(SEED)\nSEEDS = [0, 1, 2]"),
    ],
)
def test_internal_source_rule_allows_random_seeds(cell):
    assert lint.lint_internal_sources(wording_notebook(cell)) == []


def test_wording_cli_reports_notebook_cell_and_term(tmp_path, capsys):
    path = save(wording_notebook(md("Cada época recorre el set de prueba."), code("# ver semilla 003")), tmp_path / "07_x.ipynb")
    assert lint.main(wording_only=True, only=[path]) == 1
    out = capsys.readouterr().out
    assert '07_x.ipynb: cell 1: markdown says "set de prueba"; GLOSARIO.md term: "partición' in out
    assert '07_x.ipynb: cell 2: cites a source by its internal name "semilla 003"' in out
    assert "1 notebooks, 2 wording problems" in out
    path = save(wording_notebook(md("Cada época recorre la partición de entrenamiento.")), tmp_path / "07_x.ipynb")
    assert lint.main(wording_only=True, only=[path]) == 0


def test_lint_notebook_includes_the_wording_rules(tmp_path):
    nb = good_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("Una grilla de 4 × 4 (semilla 001)."))
    problems = lint.lint_notebook(save(nb, tmp_path / "07_identificacion_de_idioma.ipynb"), CFG)
    assert any('says "grilla"' in p for p in problems) and any('"semilla 001"' in p for p in problems), problems

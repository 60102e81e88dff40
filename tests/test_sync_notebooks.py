"""tools/sync_notebooks.py: badges, setup cells, canonical JSON, README table, --check."""

from __future__ import annotations

import nbformat
import pytest

from tools import sync_notebooks as sync

PYPROJECT = """\
[project]
name = "x"
[tool.course]
repository = "https://github.com/alguien/mi-curso"
branch = "otoño"
"""


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "README.md").write_text(f"# Curso\n\n{sync.README_START}\nviejo\n{sync.README_END}\nfin\n")
    nb = nbformat.v4.new_notebook()
    old_badge = "[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/otro/repo/blob/main/notebooks/viejo.ipynb)"
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# 01 · Fundamentos del audio\n{old_badge}\n\nUna introducción."),
        nbformat.v4.new_markdown_cell("## Objetivos"),
        nbformat.v4.new_code_cell("SMOKE = False", execution_count=3,
                                  outputs=[nbformat.v4.new_output("stream", text="hola")]),
        nbformat.v4.new_code_cell("%pip install course_utils\nimport course_utils\nenv = course_utils.setup()"),
    ]
    nb.cells[2].metadata.update({"tags": ["parameters"], "papermill": {"duration": 1.0}, "scrolled": True})
    nb.cells[3].metadata["tags"] = ["setup"]
    nb.metadata.update({"papermill": {"x": 1}, "widgets": {}, "course": {"thresholds": {"a": {"min": 1}}}})
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nbformat.write(nb, tmp_path / "notebooks" / "01_fundamentos_del_audio.ipynb")
    (tmp_path / "notebooks" / "00_bienvenida.ipynb").write_text(
        sync.dumps(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("sin título")])))
    return tmp_path


def test_config_and_urls(repo):
    cfg = sync.load_config(repo)
    assert cfg.github_path == "alguien/mi-curso"
    assert cfg.colab_url("01_a.ipynb") == (
        "https://colab.research.google.com/github/alguien/mi-curso/blob/otoño/notebooks/01_a.ipynb")
    assert 'git+https://github.com/alguien/mi-curso@otoño"' in sync.setup_source(cfg)
    with pytest.raises(ValueError):
        _ = sync.CourseConfig("https://gitlab.com/a/b", "main").github_path


def test_canonical_notebook(repo):
    cfg = sync.load_config(repo)
    path = repo / "notebooks" / "01_fundamentos_del_audio.ipynb"
    nb = sync.canonical(nbformat.read(path, as_version=4), path.name, cfg)
    assert nb.cells[0].source == (
        f"# 01 · Fundamentos del audio\n\n{cfg.badge(path.name)}\n\nUna introducción.")
    assert nb.cells[1].metadata["tags"] == ["setup"] and nb.cells[1].source == sync.setup_source(cfg)
    params = nb.cells[3]
    assert params.outputs == [] and params.execution_count is None
    assert dict(params.metadata) == {"tags": ["parameters"]}
    assert set(nb.metadata) == {"kernelspec", "language_info", "course"}
    assert nb.metadata.kernelspec == sync.KERNELSPEC
    assert len({c.id for c in nb.cells}) == len(nb.cells)
    again = sync.canonical(nb, path.name, cfg)
    assert sync.dumps(again) == sync.dumps(nb)  # idempotent


def test_title_is_added_when_missing(repo):
    cfg = sync.load_config(repo)
    path = repo / "notebooks" / "00_bienvenida.ipynb"
    nb = sync.canonical(nbformat.read(path, as_version=4), path.name, cfg)
    assert nb.cells[0].source.startswith("# 00 · Bienvenida\n\n[![Abrir en Colab]")
    assert nb.cells[2].source == "sin título"


def test_check_then_sync(repo, capsys):
    assert sync.main(["--check", "--root", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "notebooks/01_fundamentos_del_audio.ipynb" in out and "README.md" in out
    before = (repo / "README.md").read_text()
    assert "viejo" in before  # --check changed nothing
    assert sync.main(["--root", str(repo)]) == 0
    readme = (repo / "README.md").read_text()
    assert "| 01 | [Fundamentos del audio](notebooks/01_fundamentos_del_audio.ipynb) |" in readme
    assert readme.endswith(f"{sync.README_END}\nfin\n")
    assert sync.main(["--check", "--root", str(repo)]) == 0
    text = (repo / "notebooks" / "01_fundamentos_del_audio.ipynb").read_text()
    assert text.startswith('{\n "cells": [') and text.endswith("}\n")


def test_only_selected_notebooks_are_rewritten(repo):
    first = repo / "notebooks" / "01_fundamentos_del_audio.ipynb"
    other = repo / "notebooks" / "00_bienvenida.ipynb"
    before = other.read_text()
    assert sync.main(["--root", str(repo), str(first)]) == 0
    assert other.read_text() == before
    assert sync.main(["--check", "--root", str(repo), str(first)]) == 0
    assert sync.main(["--check", "--root", str(repo)]) == 1


def test_setup_cell_runs_in_colab_and_says_what_pip_installed(repo, monkeypatch, capsys):
    """The Colab branch of the generated cell, IPython-transformed, with a stand-in for %pip."""
    import json
    import sys
    import types

    from IPython.core.inputtransformer2 import TransformerManager

    import course_utils

    cfg = sync.load_config(repo)
    code = TransformerManager().transform_cell(sync.setup_source(cfg))
    calls = []
    namespace: dict = {}

    class FakeShell:
        def run_line_magic(self, name, line):
            calls.append((name, line))
            # IPython expands {pip_report} from the cell's variables before %pip runs.
            path = line.replace("{pip_report}", namespace["pip_report"])
            assert "--report " + namespace["pip_report"] in path
            report = {"install": [{"metadata": {"name": "course_utils", "version": "0.1.0"}}]}
            with open(namespace["pip_report"], "w") as fh:
                json.dump(report, fh)

    namespace["get_ipython"] = lambda: FakeShell()
    monkeypatch.setitem(sys.modules, "google.colab", types.ModuleType("google.colab"))
    monkeypatch.setattr(course_utils, "setup", lambda: "env")
    exec(compile(code, "setup-cell", "exec"), namespace)
    [(name, line)] = calls
    assert name == "pip" and line.startswith("install -q --report {pip_report} ")
    assert '"course_utils @ git+https://github.com/alguien/mi-curso@otoño"' in line
    assert namespace["env"] == "env"
    assert capsys.readouterr().out == (
        "pip instaló course_utils 0.1.0; no cambió ningún paquete de los que ya estaban instalados: "
        "no hace falta reiniciar la sesión, aunque Jupyter sugiera hacerlo.\n")


def test_gpu_lessons_ask_colab_for_a_gpu(repo):
    cfg = sync.load_config(repo)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 04 · Redes")])
    nb.metadata["colab"] = {"provenance": [], "gpuType": "A100"}
    gpu = sync.canonical(nb, "04_redes_convolucionales.ipynb", cfg)
    assert gpu.metadata["accelerator"] == "GPU"
    assert gpu.metadata["colab"] == {"provenance": [], "gpuType": "T4"}
    cpu = sync.canonical(gpu, "03_machine_learning_clasico.ipynb", cfg)
    assert "accelerator" not in cpu.metadata and cpu.metadata["colab"] == {"provenance": []}
    assert sync.dumps(sync.canonical(gpu, "04_redes_convolucionales.ipynb", cfg)) == sync.dumps(gpu)
    assert sync.GPU_LESSONS == {"04", "05", "06", "07", "08", "09", "12"}


def _export_notebook(path, *cells):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(f"# {path.stem[:2]} · X")])
    for source, tags in cells:
        cell = nbformat.v4.new_code_cell(source)
        cell.metadata["tags"] = tags
        nb.cells.append(cell)
    nbformat.write(nb, path)


MODEL_CELL = '''import keras


def build_model(units: int = 8) -> keras.Model:
    return keras.Sequential([keras.layers.Dense(units)])'''


def test_export_cells_become_a_module_that_names_its_lesson(repo):
    lesson = repo / "notebooks" / "05_genero.ipynb"
    _export_notebook(lesson, (MODEL_CELL, ["export:gender"]), ("modelo = build_model()", []),
                     ("SIZE = 3", ["export:gender"]))
    assert "course_utils/models/gender.py" in sync.sync(repo, check=True)
    sync.sync(repo)
    module = repo / "course_utils" / "models" / "gender.py"
    text = module.read_text(encoding="utf-8")
    assert "notebooks/05_genero.ipynb" in text and "make notebooks" in text
    assert text.index("def build_model") < text.index("SIZE = 3")
    assert "modelo = build_model()" not in text
    compile(text, str(module), "exec")
    assert sync.sync(repo, check=True) == []
    # Editing the generated module by hand, or the lesson's cell, makes the check fail.
    module.write_text(text.replace("units: int = 8", "units: int = 9"), encoding="utf-8")
    assert sync.sync(repo, check=True) == ["course_utils/models/gender.py"]


def test_a_module_no_lesson_exports_is_removed(repo):
    sync.sync(repo)
    package = repo / "course_utils" / "models"
    package.mkdir(parents=True)
    (package / "viejo.py").write_text(f'"""x\n\n{sync.EXPORT_MARK} notebooks/03_x.ipynb"""\n')
    (package / "__init__.py").write_text('"""Escrito a mano."""\n')
    assert sync.sync(repo, check=True) == ["course_utils/models/viejo.py (no lesson exports it any more)"]
    sync.sync(repo)
    assert not (package / "viejo.py").exists() and (package / "__init__.py").exists()


@pytest.mark.parametrize(
    ("source", "tag", "message"),
    [
        ("modelo = build()\nmodelo.summary()", "export:gender", "only import, assign and define"),
        ("def f(:\n    pass", "export:gender", "not valid Python"),
        ("X = 1", "export:Gender", "bad export tag"),
    ],
)
def test_bad_export_cells_are_refused(repo, source, tag, message):
    _export_notebook(repo / "notebooks" / "05_genero.ipynb", (source, [tag]))
    with pytest.raises(sync.ExportError, match=message):
        sync.sync(repo, check=True)


def test_one_module_comes_from_one_lesson(repo):
    _export_notebook(repo / "notebooks" / "05_genero.ipynb", ("X = 1", ["export:gender"]))
    _export_notebook(repo / "notebooks" / "11_mundo.ipynb", ("Y = 2", ["export:gender"]))
    with pytest.raises(sync.ExportError, match="one lesson owns a module"):
        sync.sync(repo, check=True)

"""Editing a layer in lesson 06's export cell changes the model that the lesson builds and trains.

The lesson's cells run in-process, in a fresh namespace, on the synthetic twin in smoke mode, up
to the training of the 1D network; the parameter-count assertions of the lesson (which describe
the lecture's network) are skipped, since the point is that the edited network is different.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
LESSON = ROOT / "notebooks" / "06_reconocimiento_de_palabras.ipynb"
ORIGINAL = "SEED_BLOCKS = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (256, 4))"
EDITED = "SEED_BLOCKS = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (192, 4))"


def _python(cell_source: str) -> str:
    """IPython syntax (``%pip``) as plain Python, as the kernel would run it."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell_source)


def _run_until(nb, stop: str, namespace: dict) -> None:
    """Run the code cells in order, up to and including the first containing ``stop``."""
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "nbval-check-output" in cell.metadata.get("tags", []):
            continue  # the lecture's parameter counts: they must fail for an edited network
        exec(compile(_python(cell.source), f"<{LESSON.name}>", "exec"), namespace)
        if stop in cell.source:
            return
    raise AssertionError(f"no cell contains {stop!r}")


@pytest.mark.notebook
@pytest.mark.slow
def test_editing_the_export_cell_changes_the_trained_model(monkeypatch, tmp_path):
    pytest.importorskip("tensorflow")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setenv("COURSE_RESULTS_DIR", str(tmp_path))
    monkeypatch.setenv("COURSE_NOTEBOOK", LESSON.stem)
    monkeypatch.setenv("COURSE_MODE", "smoke")
    if not os.environ.get("COURSE_DATA_DIR"):
        monkeypatch.setenv("COURSE_DATA_DIR", str(ROOT / "build" / "course_data"))
    monkeypatch.chdir(LESSON.parent)

    nb = nbformat.read(LESSON, as_version=4)
    export = [c for c in nb.cells if "export:keywords" in c.metadata.get("tags", [])]
    assert sum(ORIGINAL in c.source for c in export) == 1, "the lesson's 1D blocks moved"
    for cell in export:
        cell.source = cell.source.replace(ORIGINAL, EDITED)
    for cell in nb.cells:  # the harness's smoke parameters; one epoch is enough here
        if "parameters" in cell.metadata.get("tags", []):
            cell.source += "\nSMOKE = True\nDATA_SOURCE = 'synthetic'\n"
        elif cell.source.startswith("EPOCHS ="):
            cell.source += "\nEPOCHS = 1\n"
    from IPython.display import display

    namespace = {"__name__": "__main__", "display": display}
    _run_until(nb, "model_1d, history_1d, seconds_1d = train(", namespace)

    # The last block now has 192 filters instead of 256: its convolution, its BatchNorm and the
    # softmax layer that reads its 192 numbers all shrink.
    delta_full = 128 * 64 * 4 + 4 * 64 + 64 * 8
    assert namespace["model_1d_full"].count_params() == 261_896 - delta_full
    assert namespace["model_1d_full"].get_layer("conv6").filters == 192
    trained = namespace["model_1d"]
    width = namespace["WIDTH_1D"]
    assert trained.get_layer("conv6").filters == round(192 * width)
    assert trained.get_layer("softmax").input.shape[-1] == round(192 * width)
    assert len(namespace["history_1d"].history["loss"]) >= 1

"""course_utils.fairness: the figures of the subgroup evaluation and the model card.

The rates, calibration and threshold balancing are written in lesson 11 and run by its
smoke test; here only the shared plumbing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from course_utils import fairness as fx  # noqa: E402


@pytest.fixture
def predictions():
    return pd.DataFrame({
        "g": ["a"] * 6 + ["b"] * 4,
        "label": [1, 1, 1, 1, 0, 0, 1, 0, 0, 0],
        "prob": [0.9, 0.8, 0.7, 0.2, 0.1, 0.3, 0.6, 0.7, 0.55, 0.1],
    })


def test_group_errors_legend_has_one_patch_per_colour_and_no_negative_axis():
    report = pd.DataFrame({"speaker": ["s1", "s2", "s3"], "error": [0.5, 0.0, 0.25],
                           "clips": [4, 3, 4], "clase": ["mujer", "hombre", "mujer"]})
    ax = fx.plot_group_errors(report, "speaker", label="Hablante", title="Errores", overall=0.3,
                              hue=report["clase"])
    assert ax.get_ylabel() == "Hablante" and "%" in ax.get_xlabel()
    assert ax.get_xlim()[0] == 0
    legend = ax.get_legend()
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:2] == ["hombre", "mujer"] and texts[2].startswith("global")
    patches = [h for h in legend.legend_handles if isinstance(h, Patch)]
    assert len(patches) == 2 and patches[0].get_facecolor() != patches[1].get_facecolor()
    bar_colours = {tuple(b.get_facecolor()) for b in ax.patches}
    assert len(bar_colours) == 2
    plt.close("all")


def test_other_plots_are_labelled_in_spanish(predictions):
    table = pd.DataFrame({"prob. media": [0.1, 0.8], "frecuencia observada": [0.2, 0.6]})
    ax = fx.plot_reliability({"modelo (ECE = 0.150)": table}, title="Fiabilidad")
    assert ax.get_title() == "Fiabilidad" and len(ax.get_lines()) == 2
    sweep = pd.DataFrame({"umbral": [0.3, 0.5, 0.3, 0.5], "g": ["a", "a", "b", "b"],
                          "tasa FN": [0.0, 0.25, 0.0, 0.0]})
    ax = fx.plot_threshold_sweep(sweep, "g", metric="tasa FN", label="Grupo", title="Umbral")
    assert ax.get_xlabel().startswith("Umbral") and len(ax.get_lines()) == 3  # 2 groups + marker
    assert ax.get_ylim() == pytest.approx((0, 27.5)) and ax.get_ylabel() == "Tasa de falsos negativos (%)"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Grupo: a", "Grupo: b"]
    fig = fx.plot_confusion_by_group(predictions, "g", labels=["hombre", "mujer"], label="Grupo",
                                     title="Por grupo")
    assert len(fig.axes) >= 2 and fig.axes[0].get_title().startswith("Grupo: a (n=6")
    plt.close("all")


def test_model_card():
    card = fx.model_card("Tarjeta", {
        "Uso previsto": "Docencia.",
        "Datos": {"conjunto": "gemelo", "clips": 12},
        "Métricas": pd.DataFrame({"modelo": ["cnn"], "accuracy": [0.91234]}),
    })
    assert card.startswith("# Tarjeta\n")
    assert "## Uso previsto\n\nDocencia." in card
    assert "- **clips**: 12" in card
    assert "| modelo | accuracy |\n|---|---|\n| cnn | 0.912 |" in card
    assert fx.markdown_table(pd.DataFrame({"a|b": ["x|y"]})).splitlines()[2] == "| x\\|y |"

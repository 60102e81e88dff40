"""Checkers for lesson 02 (preprocesamiento)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import Wrong, exercise

N_MFCC = 40
MAX_FRAMES = 300
RECORDING_S = 9.0
WINDOW_S = 2.0
OVERLAP = 0.5


@exercise("02.forma", hint="sigue los pasos 6, 7 y 8: (coef., frames) → (frames, coef.) → canal.")
def final_shape(answer: Any) -> str | None:
    """The pipeline with n_mfcc=40, max_frames=300, transposed, plus channel: (300, 40, 1)."""
    if not isinstance(answer, (tuple, list)) or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in answer):
        raise Wrong("escribe la forma como una tupla de enteros, por ejemplo (10, 20, 1).")
    shape = tuple(int(v) for v in answer)
    if shape == (MAX_FRAMES, N_MFCC, 1):
        return None
    if shape == (N_MFCC, MAX_FRAMES, 1):
        return "falta el paso 7: la transposición pone el tiempo (300 frames) en las filas."
    if shape == (MAX_FRAMES, N_MFCC):
        return "falta el paso 8: el eje de canal de tamaño 1 que espera una CNN."
    if len(shape) == 3 and shape[2] == 1 and MAX_FRAMES not in shape:
        return "después de recortar y rellenar, todos los clips tienen exactamente max_frames = 300 frames."
    return "no es correcto: anota la forma después de cada paso (MFCC, recorte, relleno, transposición, canal)."


@exercise("02.ventanas", hint="salto = ventana × (1 − solapamiento); ventanas = 1 + (duración − ventana) // salto.")
def chunk_count(answer: Any) -> str | None:
    """A 9 s recording cut in 2 s windows with 50 % overlap (hop 1 s), tail dropped: 8."""
    if isinstance(answer, bool) or not isinstance(answer, numbers.Real):
        raise Wrong("escribe un número entero de ventanas.")
    hop = WINDOW_S * (1 - OVERLAP)
    expected = 1 + int((RECORDING_S - WINDOW_S) // hop)
    if answer == expected:
        return None
    if answer == int(RECORDING_S // WINDOW_S):
        return "esa es la cuenta sin solapamiento; con 50 % el salto es de 1 s, no de 2 s."
    if answer == expected + 1:
        return "contaste la ventana incompleta del final; aquí se descarta (pad_last=False)."
    return "no es correcto: enumera los inicios de ventana (0 s, 1 s, 2 s...) mientras la ventana quepa en 9 s."


@exercise("02.relleno_final", hint="np.pad(m, [(0, 0), (0, max_frames - m.shape[1])]) agrega ceros al final.")
def pad_end(answer: Any) -> str | None:
    """A function (matrix, max_frames) -> matrix zero-padded at the end to max_frames frames."""
    if not callable(answer):
        raise Wrong("entrega una función `rellenar(m, max_frames)`, no un valor.")
    rng = np.random.default_rng(0)
    m = rng.normal(size=(4, 7))
    try:
        out = np.asarray(answer(m.copy(), 12))
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló con una matriz de 4×7 y max_frames=12 "
                    f"({type(exc).__name__}: {exc}).") from exc
    if out.shape != (4, 12):
        if out.shape == (12, 4):
            return "la salida está transpuesta: rellena el eje de los frames (columnas), no el de coeficientes."
        return f"la salida debe tener forma (4, 12) y tiene {out.shape}."
    if np.allclose(out, np.pad(m, [(0, 0), (2, 3)])):
        return "eso es pad_center (ceros a ambos lados); este ejercicio pide los ceros solo al final."
    if np.allclose(out, np.pad(m, [(0, 0), (5, 0)])):
        return "pusiste los ceros al principio; van al final, después del último frame."
    if not np.allclose(out[:, :7], m):
        return "los datos originales deben quedar intactos en las primeras columnas."
    if not np.all(out[:, 7:] == 0):
        return "el relleno debe ser de ceros."
    try:
        same = np.asarray(answer(m[:, :5].copy(), 5))
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló cuando la matriz ya mide max_frames ({exc}).") from exc
    if same.shape != (4, 5) or not np.allclose(same, m[:, :5]):
        return "si la matriz ya tiene max_frames columnas, debe volver sin cambios."
    return None


def _toy_table() -> pd.DataFrame:
    speakers = ["ana", "beto", "caro", "dani", "eli", "fede"]
    rows = [{"path": f"{d}_{s}_{i}.wav", "digit": d, "speaker": s, "index": i}
            for s in speakers for d in range(10) for i in range(3)]
    return pd.DataFrame(rows)


@exercise("02.particion", hint="usa course_utils.splits.group_train_test_split(tabla['speaker']).")
def speaker_split(answer: Any) -> str | None:
    """A function table -> (train, test) DataFrames with no speaker on both sides."""
    if not callable(answer):
        raise Wrong("entrega una función `particion(tabla)` que devuelva (train, test).")
    table = _toy_table()
    try:
        result = answer(table.copy())
        train, test = result
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló o no devolvió dos tablas ({type(exc).__name__}: {exc}).") from exc
    if not isinstance(train, pd.DataFrame) or not isinstance(test, pd.DataFrame):
        raise Wrong("devuelve dos DataFrames: (train, test).")
    if len(test) == 0 or len(train) == 0:
        return "ninguna de las dos particiones puede quedar vacía."
    shared = set(train["speaker"]) & set(test["speaker"])
    if shared:
        return (f"hay hablantes en ambas particiones ({', '.join(sorted(shared))}): el modelo "
                "los «conoce» y la exactitud de prueba queda inflada. Separa por hablante.")
    if sorted(train["path"].tolist() + test["path"].tolist()) != sorted(table["path"]):
        return "cada clip debe quedar en exactamente una partición (ni repetidos ni perdidos)."
    if not 0.1 <= len(test) / len(table) <= 0.5:
        return f"la prueba tiene el {len(test) / len(table):.0%} de los clips; apunta a entre 10 % y 50 %."
    return None

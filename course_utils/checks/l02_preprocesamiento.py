"""Checkers for lesson 02 (preprocesamiento)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import Wrong, as_number, as_numbers, exercise

N_MFCC = 40
MAX_FRAMES = 300
RECORDING_S = 9.0
WINDOW_S = 2.0
OVERLAP = 0.5


def rellenar(m, max_frames):
    """Agrega columnas de ceros al final de m hasta tener max_frames frames."""
    return np.pad(m, [(0, 0), (0, max_frames - m.shape[1])])


def particion(tabla):
    """Separa (train, test) por hablante: un tercio de los hablantes va a prueba."""
    from course_utils import splits

    train, test = splits.group_train_test_split(tabla["speaker"], test_size=1 / 3, seed=0)
    return tabla.iloc[train], tabla.iloc[test]


@exercise(
    "02.forma",
    hint=("la CNN recibe la matriz (coeficientes × frames) de los pasos 1 a 6 como una imagen de un "
          "canal: el paso 7 (transponer) es para la LSTM, no para la CNN."),
    worked_step=("después de los pasos 3 a 6 la matriz es (n_mfcc, max_frames); el paso 8 le agrega "
                 "al final un eje de canal de tamaño 1."),
    solution=(N_MFCC, MAX_FRAMES, 1),
    explanation=("Pasos 1 a 6: (40, 300); el paso 8 agrega el canal: (40, 300, 1), la entrada de la "
                 "CNN de la lección 05. La LSTM, en cambio, usa el paso 7: (300, 40), sin canal."),
)
def final_shape(answer: Any) -> str | None:
    """The CNN input of lesson 05 with n_mfcc=40, max_frames=300: (40, 300, 1) (no transpose)."""
    try:
        values = as_numbers(answer, what="la forma")
    except Wrong as exc:
        raise Wrong(f"{exc} Escríbela como una tupla de enteros, por ejemplo (10, 20, 1).") from exc
    if not all(float(v).is_integer() for v in values):
        raise Wrong("cada eje de la forma es un número entero de elementos.")
    shape = tuple(int(v) for v in values)
    if shape == (N_MFCC, MAX_FRAMES, 1):
        return None
    if shape == (MAX_FRAMES, N_MFCC, 1):
        return ("esa es la forma con el paso 7 (transpuesta) y canal, la del código de la clase. La "
                "CNN de la lección 05 recibe (coeficientes, frames, 1): la transposición es para la LSTM.")
    if shape == (MAX_FRAMES, N_MFCC):
        return "esa es la entrada de la LSTM (paso 7, tiempo en las filas, sin canal); la pregunta es por la CNN."
    if shape == (N_MFCC, MAX_FRAMES):
        return "falta el paso 8: el eje de canal de tamaño 1 que espera una CNN."
    if len(shape) == 4 and shape[1:] == (N_MFCC, MAX_FRAMES, 1):
        return "ese primer eje es el del lote (varios clips); la pregunta es por la forma de un clip."
    if len(shape) == 3 and shape[2] == 1 and MAX_FRAMES not in shape:
        return "después de recortar y rellenar, todos los clips tienen exactamente max_frames = 300 frames."
    return "no es correcto: anota la forma después de cada paso (MFCC, recorte, relleno, canal)."


@exercise(
    "02.ventanas",
    hint="con 50 % de solapamiento, cada ventana empieza a la mitad de la anterior; el final incompleto no cuenta.",
    worked_step=("el salto es ventana × (1 − solapamiento) = 2 × 0,5 = 1 s. La última ventana completa "
                 "debe terminar antes de los 9 s: ventanas = 1 + (duración − ventana) // salto."),
    solution=1 + int((RECORDING_S - WINDOW_S) // (WINDOW_S * (1 - OVERLAP))),
    explanation="Las ventanas empiezan en 0, 1, ..., 7 s (la que empezaría en 8 s no cabe): 8 ventanas.",
)
def chunk_count(answer: Any) -> str | None:
    """A 9 s recording cut in 2 s windows with 50 % overlap (hop 1 s), tail dropped: 8."""
    value = as_number(answer, example="5")
    hop = WINDOW_S * (1 - OVERLAP)
    expected = 1 + int((RECORDING_S - WINDOW_S) // hop)
    if value == expected:
        return None
    if not float(value).is_integer():
        return "la cantidad de ventanas es un número entero: cuenta solo las ventanas completas."
    if value == int(RECORDING_S // WINDOW_S):
        return "esa es la cuenta sin solapamiento; con 50 % el salto es de 1 s, no de 2 s."
    if value == expected + 1:
        return "contaste la ventana incompleta del final; aquí se descarta (pad_last=False)."
    return "no es correcto: enumera los inicios de ventana (0 s, 1 s, 2 s...) mientras la ventana quepa en 9 s."


@exercise(
    "02.relleno_final",
    hint="np.pad acepta cuántos ceros poner antes y después en cada eje; aquí solo cambia el eje de los frames.",
    worked_step=("faltan max_frames − m.shape[1] columnas; con np.pad, el ancho de relleno es una "
                 "lista [(antes, después) del eje 0, (antes, después) del eje 1]."),
    solution=rellenar,
    explanation="Se agregan max_frames − m.shape[1] columnas de ceros después del último frame; los coeficientes no se tocan.",
)
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


@exercise(
    "02.particion",
    hint="separa por hablante, no por clip: todos los clips de una persona van del mismo lado.",
    worked_step=("course_utils.splits.group_train_test_split(tabla['speaker'], test_size=...) devuelve "
                 "dos listas de posiciones (entrenamiento, prueba); usa tabla.iloc con cada una."),
    solution=particion,
    explanation=("La partición agrupa por hablante: con test_size=1/3 van a prueba dos de los seis "
                 "hablantes con todos sus clips, y ninguno queda a ambos lados."),
)
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

"""Checkers for lesson 07 (identificación de idioma)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import Wrong, exercise

SR = 16000
WINDOW_S = 2.0
FRAME_LENGTH = 255
FRAME_STEP = 128
N_BINS = 129  # FFT of 256 points (next power of two of 255): 256 // 2 + 1


def _int_tuple(answer: Any, length: int) -> tuple[int, ...]:
    if not isinstance(answer, (tuple, list)) or len(answer) != length or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in answer):
        raise Wrong(f"escribe una tupla de {length} enteros, por ejemplo (10, 20).")
    return tuple(int(v) for v in answer)


@exercise("07.forma", hint="frames = ceil(muestras / paso) con pad_end=True; bins = 256 // 2 + 1.")
def spectrogram_shape(answer: Any) -> str | None:
    """A 2 s window at 16 kHz, frame 255, step 128, end padded: (250, 129)."""
    shape = _int_tuple(answer, 2)
    n = round(WINDOW_S * SR)
    frames = -(-n // FRAME_STEP)
    if shape == (frames, N_BINS):
        return None
    if shape == (N_BINS, frames):
        return "está transpuesta: tf.signal.stft pone el tiempo (frames) en las filas y la frecuencia en las columnas."
    if shape == (1 + (n - FRAME_LENGTH) // FRAME_STEP, N_BINS):
        return "esa cuenta es sin relleno; con pad_end=True el final se completa con ceros y hay ceil(32000 / 128) frames."
    if shape[0] == frames and shape[1] == FRAME_LENGTH // 2 + 1:
        return "la FFT no es de 255 puntos: TensorFlow usa la potencia de dos siguiente (256), que da 256 // 2 + 1 bins."
    if shape[0] == 500:
        return "500 frames corresponden a 4 s; aquí la ventana es de 2 s."
    return "no es correcto: calcula cuántos saltos de 128 muestras caben en 2 s a 16 kHz y cuántos bins da la FFT."


@exercise("07.parametros", hint="Conv1D: (kernel × canales de entrada + 1) × filtros; "
          "LSTM: 4 × (unidades × (entradas + unidades) + unidades).")
def parameter_counts(answer: Any) -> str | None:
    """Conv1D(32, 5) on 129 bins: 20,672; LSTM(32) on 128 channels: 20,608."""
    if not isinstance(answer, dict) or set(answer) != {"conv1d", "lstm"}:
        raise Wrong('entrega un diccionario {"conv1d": ..., "lstm": ...} con dos enteros.')
    conv, lstm = answer["conv1d"], answer["lstm"]
    for value in (conv, lstm):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise Wrong("cada cuenta de parámetros es un número entero.")
    problems = []
    if conv != (5 * 129 + 1) * 32:
        if conv == 5 * 129 * 32:
            problems.append("Conv1D: falta el sesgo (uno por filtro)")
        elif conv == (5 + 1) * 32:
            problems.append("Conv1D: cada filtro mira los 129 canales de entrada, no uno solo")
        else:
            problems.append("Conv1D: revisa kernel × canales de entrada × filtros + sesgos")
    if lstm != 4 * (32 * (128 + 32) + 32):
        if lstm == 3 * (32 * (128 + 32) + 32):
            problems.append("LSTM: una LSTM tiene 4 bloques de pesos (tres compuertas y la celda), no 3 como la GRU")
        elif lstm == 4 * (32 * 128 + 32):
            problems.append("LSTM: faltan los pesos recurrentes (unidades × unidades por bloque)")
        elif lstm == 4 * 32 * (128 + 32):
            problems.append("LSTM: faltan los sesgos (uno por unidad en cada bloque)")
        else:
            problems.append("LSTM: revisa 4 × (unidades × (entradas + unidades) + unidades)")
    return "; ".join(problems) + "." if problems else None


def _toy_chunks() -> pd.DataFrame:
    rows = []
    recording = 0
    for sentence in range(12):
        for language in ("es_419", "fr_fr", "en_us", "ja_jp"):
            for _ in range(2):  # two readers of the same sentence
                for k in range(3):
                    rows.append({"language": language, "id": 1000 + sentence,
                                 "recording": recording, "chunk": k})
                recording += 1
    return pd.DataFrame(rows)


@exercise("07.particion", hint="agrupa por la columna 'id': course_utils.splits.group_train_test_split(tabla['id']).")
def grouped_split(answer: Any) -> str | None:
    """A function chunk table -> (train, test) positional indices, no id or recording shared."""
    if not callable(answer):
        raise Wrong("entrega una función `particion(tabla)` que devuelva (train, test) con índices de fila.")
    table = _toy_chunks()
    try:
        train, test = answer(table.copy())
        train = np.asarray(train, dtype=int).ravel()
        test = np.asarray(test, dtype=int).ravel()
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló o no devolvió dos listas de índices ({type(exc).__name__}: {exc}).") from exc
    if len(train) == 0 or len(test) == 0:
        return "ninguna de las dos particiones puede quedar vacía."
    if sorted(np.concatenate([train, test]).tolist()) != list(range(len(table))):
        return "cada ventana debe quedar en exactamente una partición (ni repetidas ni perdidas, índices 0..n-1)."
    train_rows, test_rows = table.iloc[train], table.iloc[test]
    if set(train_rows["recording"]) & set(test_rows["recording"]):
        return ("hay ventanas de una misma grabación en ambas particiones: el modelo reconoce la "
                "grabación (voz, micrófono, sala) y no el idioma. Agrupa al menos por grabación.")
    if set(train_rows["id"]) & set(test_rows["id"]):
        return ("las grabaciones quedan separadas, pero una misma frase (id) aparece en ambas "
                "particiones, leída por distintas personas. Agrupa por 'id'.")
    share = len(test) / len(table)
    if not 0.1 <= share <= 0.5:
        return f"la prueba tiene el {share:.0%} de las ventanas; apunta a entre 10 % y 50 %."
    return None


def _labels_of(pair: Any) -> set:
    if not isinstance(pair, (tuple, list, set, frozenset)) or len(pair) != 2:
        raise Wrong("tu función debe devolver un par de etiquetas, por ejemplo ('es_419', 'fr_fr').")
    return set(pair)


@exercise("07.confusion", hint="suma la matriz con su transpuesta, anula la diagonal y busca el máximo.")
def most_confused(answer: Any) -> str | None:
    """A function (confusion matrix, labels) -> the pair of labels most confused both ways."""
    if not callable(answer):
        raise Wrong("entrega una función `par_mas_confundido(cm, etiquetas)`.")
    labels = ["es_419", "fr_fr", "en_us", "ja_jp"]
    # es->fr 9 and fr->es 2 (11 in total) against en<->fr 7 + 6 = 13: the pair is (fr, en).
    cm = np.array([[80, 9, 5, 6],
                   [2, 85, 7, 6],
                   [3, 6, 88, 3],
                   [1, 1, 2, 96]])
    try:
        pair = _labels_of(answer(cm.copy(), list(labels)))
        diagonal_trap = _labels_of(answer(np.diag([50, 40, 30, 20]) + 1, list(labels)))
    except Wrong:
        raise
    except Exception as exc:  # the student's function failed
        raise Wrong(f"tu función falló ({type(exc).__name__}: {exc}).") from exc
    if pair == {"fr_fr", "en_us"}:
        if len(diagonal_trap) != 2:
            return "con una matriz de aciertos puros devolviste una clase consigo misma: ignora la diagonal."
        return None
    if pair == {"es_419", "fr_fr"}:
        return ("miraste una sola dirección (español tomado por francés, 9). Cuenta las dos: "
                "francés↔inglés suma 7 + 6 = 13 y español↔francés 9 + 2 = 11.")
    if len(pair) == 1:
        return "devolviste la misma etiqueta dos veces: la diagonal son los aciertos, no las confusiones."
    return "no es correcto: la confusión entre a y b es cm[a, b] + cm[b, a], fuera de la diagonal."

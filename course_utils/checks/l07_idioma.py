"""Checkers for lesson 07 (identificación de idioma)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from course_utils.exercises import (
    Code,
    Wrong,
    as_integer,
    as_numbers,
    best_validation,
    exercise,
)

SR = 16000
WINDOW_S = 2.0
FRAME_LENGTH = 255
FRAME_STEP = 128
N_BINS = 129  # FFT of 256 points (next power of two of 255): 256 // 2 + 1
N_FRAMES = -(-round(WINDOW_S * SR) // FRAME_STEP)  # 250


def _int_pair(answer: Any) -> tuple[int, int]:
    """Two integers given as a tuple, a list or an array (ints, integral floats, NumPy)."""
    if isinstance(answer, (str, bytes)):
        raise Wrong("escribe una tupla de dos enteros, por ejemplo (10, 20), no un texto.")
    try:
        values = as_numbers(answer, 2, what="la forma")
    except Wrong as exc:
        raise Wrong(f"{exc} Escribe una tupla de dos enteros, por ejemplo (10, 20).") from None
    if any(v != int(v) for v in values):
        raise Wrong("la forma son dos números enteros (frames, bandas).")
    return int(values[0]), int(values[1])


@exercise(
    "07.forma",
    hint="con pad_end=True hay ceil(muestras / paso) frames; las bandas salen de la FFT.",
    worked_step=("2 s a 16 kHz son 32.000 muestras: ceil(32.000 / 128) frames; TensorFlow usa una "
                 "FFT de 256 puntos (la potencia de dos siguiente a 255), que da 256 // 2 + 1 bandas."),
    solution=(250, 129),
    explanation=("32.000 muestras en saltos de 128, con el final completado con ceros, dan 250 frames; "
                 "la FFT de 256 puntos da 129 bandas. tf.signal.stft pone el tiempo en las filas."),
)
def spectrogram_shape(answer: Any) -> str | None:
    """A 2 s window at 16 kHz, frame 255, step 128, end padded: (250, 129)."""
    shape = _int_pair(answer)
    n = round(WINDOW_S * SR)
    if shape == (N_FRAMES, N_BINS):
        return None
    if shape == (N_BINS, N_FRAMES):
        return "está transpuesta: tf.signal.stft pone el tiempo (frames) en las filas y la frecuencia en las columnas."
    if shape == (1 + (n - FRAME_LENGTH) // FRAME_STEP, N_BINS):
        return "esa cuenta es sin relleno; con pad_end=True el final se completa con ceros y hay ceil(32000 / 128) frames."
    if shape[0] == N_FRAMES and shape[1] == FRAME_LENGTH // 2 + 1:
        return "la FFT no es de 255 puntos: TensorFlow usa la potencia de dos siguiente (256), que da 256 // 2 + 1 bandas."
    if shape[0] == 500:
        return "500 frames corresponden a 4 s; aquí la ventana es de 2 s."
    return "no es correcto: calcula cuántos saltos de 128 muestras caben en 2 s a 16 kHz y cuántas bandas da la FFT."


CONV_PARAMS = (5 * 129 + 1) * 32  # 20,672
LSTM_PARAMS = 4 * (32 * (128 + 32) + 32)  # 20,608


@exercise(
    "07.parametros",
    hint="Conv1D: (kernel × canales de entrada + 1) × filtros; LSTM: 4 bloques con pesos de entrada, "
         "pesos recurrentes y un sesgo.",
    worked_step=("Conv1D(32, 5) sobre 129 bandas: (5 × 129 + 1) × 32. LSTM(32) con 128 canales: "
                 "4 × (32 × (128 + 32) + 32)."),
    solution={"conv1d": CONV_PARAMS, "lstm": LSTM_PARAMS},
    explanation=("Cada filtro de la Conv1D mira 5 frames de los 129 canales y tiene un sesgo: 20.672. "
                 "La LSTM tiene 4 bloques (tres compuertas y la celda), cada uno con 32 × (128 + 32) "
                 "pesos y 32 sesgos: 20.608."),
)
def parameter_counts(answer: Any) -> str | None:
    """Conv1D(32, 5) on 129 bins: 20,672; LSTM(32) on 128 channels: 20,608."""
    if not isinstance(answer, Mapping) or set(answer) != {"conv1d", "lstm"}:
        raise Wrong('entrega un diccionario {"conv1d": ..., "lstm": ...} con dos enteros.')
    conv = as_integer(answer["conv1d"], "cada cuenta de parámetros")
    lstm = as_integer(answer["lstm"], "cada cuenta de parámetros")
    problems = []
    if conv != CONV_PARAMS:
        if conv == 5 * 129 * 32:
            problems.append("Conv1D: falta el sesgo (uno por filtro)")
        elif conv == (5 + 1) * 32:
            problems.append("Conv1D: cada filtro mira los 129 canales de entrada, no uno solo")
        else:
            problems.append("Conv1D: revisa kernel × canales de entrada × filtros + sesgos")
    if lstm != LSTM_PARAMS:
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


def particion(tabla):
    """Reference solution of 07.particion: every window of a sentence id on one side."""
    from course_utils import splits

    return splits.group_train_test_split(tabla["id"], test_size=0.25, seed=0)


@exercise(
    "07.particion",
    hint="¿qué columna junta todas las ventanas de una frase, en todas sus grabaciones?",
    worked_step=("agrupa por la columna 'id' (la frase): course_utils.splits.group_train_test_split "
                 "recibe los grupos y devuelve índices de fila (train, test)."),
    solution=particion,
    explanation=("Agrupar por 'id' deja todas las grabaciones de una frase, y con ellas todas sus "
                 "ventanas, del mismo lado; agrupar solo por grabación deja pasar la frase leída por "
                 "otra persona."),
)
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


def par_mas_confundido(cm, etiquetas):
    """Reference solution of 07.confusion: the largest cm[a, b] + cm[b, a] off the diagonal."""
    ambos = np.asarray(cm) + np.asarray(cm).T
    np.fill_diagonal(ambos, -1)
    a, b = np.unravel_index(np.argmax(ambos), ambos.shape)
    return etiquetas[a], etiquetas[b]


@exercise(
    "07.confusion",
    hint="la confusión entre a y b cuenta las dos direcciones: cm[a, b] + cm[b, a].",
    worked_step=("suma la matriz con su transpuesta (cm + cm.T), pon la diagonal en −1 para que los "
                 "aciertos no cuenten y busca la posición del máximo con np.argmax y np.unravel_index."),
    solution=par_mas_confundido,
    explanation=("cm + cm.T suma las dos direcciones de cada par; anular la diagonal deja fuera los "
                 "aciertos, y el máximo restante es el par más confundido."),
)
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


def _best_val_loss(value: Any, who: str) -> float:
    """The lowest validation loss of a Keras History (or its ``history`` dict), or a number."""
    return best_validation(value, who, "val_loss",
                           "entrena con validation_data=(X_val, y_val) para medir en validación")


def compare_validation(answer: Any, what: str) -> str | None:
    """Shared by the open exercises: {"base": ..., "mia": ...}, lower validation loss wins.

    Prints both figures (what the student's run produced), then returns None when the
    student's figure is lower than the baseline's.
    """
    if not isinstance(answer, Mapping) or set(answer) != {"base", "mia"}:
        raise Wrong('entrega un diccionario {"base": ..., "mia": ...} con las dos historias de Keras '
                    "(o las dos pérdidas de validación).")
    base = _best_val_loss(answer["base"], "base")
    mine = _best_val_loss(answer["mia"], "mia")
    if answer["base"] is answer["mia"] or (getattr(answer["base"], "history", 0)
                                           is getattr(answer["mia"], "history", 1)):
        raise Wrong("«base» y «mia» son la misma historia: entrena tu variante y entrega su historia.")
    line = (f"pérdida de validación de {what}: {base:.4f}; la de tu variante: {mine:.4f} "
            f"({mine - base:+.4f}).")
    if mine < base:
        print(f"Mejoraste en validación: {line}")
        return None
    return (f"tu variante no mejora en validación: {line} Prueba otra tasa de aprendizaje, más "
            "épocas u otro tamaño de la red (y mide siempre en la misma partición de validación).")


@exercise(
    "07.mejora",
    hint="la base sigue mejorando en sus últimas épocas: mira sus curvas antes de elegir el cambio.",
    worked_step=("por ejemplo, la misma build_conv_lstm entrenada 10 épocas más que la base, con las "
                 "mismas X_train, y_train y validation_data=(X_val, y_val)."),
    solution=Code("""
import keras
course_utils.seed_everything(SEED)
with env.strategy.scope():
    variante = build_conv_lstm(input_shape=X_train.shape[1:], n_classes=len(LANGUAGES))
    variante.compile(optimizer=keras.optimizers.Adam(1e-3),
                     loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                     metrics=["accuracy"])
historia_variante = variante.fit(X_train, y_train, validation_data=(X_val, y_val),
                                 epochs=EPOCHS_CONV_LSTM + 10, batch_size=BATCH_SIZE,
                                 callbacks=[early_stopping()], verbose=0)
{"base": history_lstm, "mia": historia_variante}
"""),
    explanation=("Una variante honesta se entrena con la misma partición y se compara en validación, "
                 "nunca en prueba. En el modo rápido la base se corta a las 15 épocas con la pérdida de "
                 "validación todavía bajando: 10 épocas más la mejoran. Con datos reales manda la "
                 "parada temprana; prueba otra tasa de aprendizaje, menos dropout u otra LSTM."),
)
def improve_on_validation(answer: Any) -> str | None:
    """The student's variant of the Conv1D + LSTM has a lower best validation loss."""
    return compare_validation(answer, "la Conv1D + LSTM de la lección")

"""Código de la lección 07_identificacion_de_idioma.ipynb (celdas con la etiqueta export:language).

Generado por `make notebooks` a partir de notebooks/07_identificacion_de_idioma.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import keras
from keras import layers


def build_conv_lstm(input_shape=(500, 129), n_classes=4, *, dropout=0.2, name="conv1d_lstm"):
    """La red recurrente del trabajo original sobre (frames, bandas); entrega logits.

    Con entrada (500, 129) y 4 clases tiene 101.156 parámetros.
    """
    return keras.Sequential([
        keras.Input(shape=input_shape),
        # Dos bloques convolucionales en el tiempo: patrones locales y secuencia 500 → 54 pasos
        layers.Conv1D(64, 3, activation="relu"),
        layers.MaxPooling1D(3),
        layers.Dropout(dropout),
        layers.Conv1D(128, 3, activation="relu"),
        layers.MaxPooling1D(3),
        layers.Dropout(dropout),
        # La LSTM resume los 54 pasos en un vector de 64 números
        layers.LSTM(64),
        layers.Dropout(dropout),
        layers.Dense(32, activation="relu"),
        layers.Dense(n_classes, name="logits"),  # logits: el softmax va en la pérdida
    ], name=name)


import numpy as np  # keras y layers ya vienen de la celda de la Conv1D + LSTM

ADAPT_MAX = 2048  # ejemplos (al azar) con los que la capa Normalization aprende media y varianza


def build_cnn(input_shape=(500, 129, 1), n_classes=4, *, adapt_data=None, dropout=0.25, name="cnn2d"):
    """La CNN 2D del trabajo original sobre el espectrograma como imagen; entrega logits.

    ``adapt_data``: los espectrogramas de *entrenamiento* (con el eje de canal), de los que la capa
    Normalization aprende la media y la varianza; sin ellos queda con media 0 y varianza 1.
    Con 4 clases tiene 766.887 parámetros (3 de ellos no entrenables: media, varianza y cuenta).
    """
    norm = layers.Normalization(name="normalization")
    if adapt_data is not None:
        adapt_data = np.asarray(adapt_data)
        if adapt_data.shape[1:] != tuple(input_shape):
            raise ValueError(f"adapt_data debe tener forma (n, {', '.join(map(str, input_shape))}); "
                             f"tiene {adapt_data.shape}.")
        # La capa ve imágenes redimensionadas: se adapta sobre la misma vista redimensionada
        rng = np.random.default_rng(0)
        take = np.sort(rng.permutation(len(adapt_data))[:ADAPT_MAX])
        resize = layers.Resizing(128, 128, name="resizing_for_adapt")
        resized = np.concatenate([
            np.asarray(resize(adapt_data[take[i:i + 128]].astype(np.float32)))
            for i in range(0, len(take), 128)
        ])
        norm.adapt(resized)
    return keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Resizing(128, 128, name="resizing"),  # 500 × 129 → 128 × 128
        norm,
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(3),
        layers.Dropout(dropout),
        layers.Conv2D(128, 3, activation="relu"),
        layers.MaxPooling2D(3),
        layers.Dropout(dropout),
        layers.Flatten(),  # 13 × 13 × 128 = 21.632 valores
        layers.Dense(32, activation="relu"),  # 21.632 × 32 + 32 = 692.256 parámetros
        layers.Dense(n_classes, name="logits"),
    ], name=name)

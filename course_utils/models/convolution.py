"""Código de la lección 04_redes_convolucionales.ipynb (celdas con la etiqueta export:convolution).

Generado por `make notebooks` a partir de notebooks/04_redes_convolucionales.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import numpy as np


def pad2d(x: np.ndarray, padding: int) -> np.ndarray:
    """Rellena con ceros los dos ejes espaciales de una imagen (alto, ancho[, canales])."""
    x = np.asarray(x)
    widths = [(padding, padding), (padding, padding)] + [(0, 0)] * (x.ndim - 2)
    return np.pad(x, widths)


import numpy as np


def output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """Ancho (o alto) de la salida de una convolución o un pooling: ⌊(N − F + 2P) / S⌋ + 1."""
    span = n - f + 2 * padding
    if span < 0:
        raise ValueError(f"El filtro ({f}) no cabe en la entrada con relleno ({n} + 2·{padding}).")
    return span // stride + 1


def as_image_and_filters(x, w):
    """Imagen (alto, ancho, canales) y filtros (F, F, canales, K); acepta también una matriz
    (alto, ancho) y un solo núcleo (F, F) o (F, F, canales)."""
    x = np.asarray(x, dtype=float)
    x = x[:, :, np.newaxis] if x.ndim == 2 else x
    w = np.asarray(w, dtype=float)
    if w.ndim == 2:
        w = w[:, :, np.newaxis, np.newaxis]
    elif w.ndim == 3:
        w = w[..., np.newaxis]
    if w.shape[2] != x.shape[2]:
        raise ValueError(f"Cada filtro tiene {w.shape[2]} canales y la imagen {x.shape[2]}: "
                         "deben coincidir.")
    return x, w


def conv2d_loops(x, w, b=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Convolución con bucles explícitos: cada valor de salida = suma(trozo * filtro) + sesgo.

    `x` es (H, W, C) o (H, W); `w` es (F, F, C, K); devuelve (H_salida, W_salida, K).
    Lenta a propósito: repite la cuenta a mano.
    """
    x, w = as_image_and_filters(x, w)
    f, n_filters = w.shape[0], w.shape[3]
    b = np.zeros(n_filters) if b is None else np.asarray(b, dtype=float).reshape(n_filters)
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    xp = pad2d(x, padding)
    out = np.zeros((out_h, out_w, n_filters))
    for i in range(out_h):  # fila de la salida
        for j in range(out_w):  # columna de la salida
            top, left = i * stride, j * stride
            patch = xp[top:top + f, left:left + f, :]  # el trozo que cubre el filtro
            for k in range(n_filters):
                out[i, j, k] = np.sum(patch * w[:, :, :, k]) + b[k]
    return out


import numpy as np


def max_pool2d(x, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling sobre (H, W) o (H, W, C) con ventanas de size × size (paso = size si no se da)."""
    x = np.asarray(x)
    stride = size if stride is None else stride
    out_h = output_size(x.shape[0], size, 0, stride)
    out_w = output_size(x.shape[1], size, 0, stride)
    out = np.zeros((out_h, out_w) + x.shape[2:], dtype=x.dtype)
    for i in range(out_h):
        for j in range(out_w):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            out[i, j] = window.max(axis=(0, 1))  # el máximo de la ventana, canal por canal
    return out


import numpy as np


def im2col(x, f: int, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Todos los trozos que visita el filtro, aplanados: forma (H_salida · W_salida, F · F · C).

    La fila i · W_salida + j es el trozo de la posición (i, j), aplanado en el mismo orden
    (fila, columna, canal) que `w.reshape(-1, K)`; así, la convolución es `im2col(x) @ w.reshape(-1, K)`.
    (La clase dibuja la transpuesta: un trozo por columna.)
    """
    x = np.asarray(x, dtype=float)
    x = x[:, :, np.newaxis] if x.ndim == 2 else x
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    xp = pad2d(x, padding)
    rows = [xp[i * stride:i * stride + f, j * stride:j * stride + f, :].reshape(-1)
            for i in range(out_h) for j in range(out_w)]
    return np.array(rows)


import numpy as np


def conv2d_im2col(x, w, b=None, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """La misma convolución que `conv2d_loops`, calculada como un solo producto de matrices."""
    x, w = as_image_and_filters(x, w)
    f, n_filters = w.shape[0], w.shape[3]
    b = np.zeros(n_filters) if b is None else np.asarray(b, dtype=float).reshape(n_filters)
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    cols = im2col(x, f, stride=stride, padding=padding)  # (posiciones, F · F · C)
    return (cols @ w.reshape(-1, n_filters) + b).reshape(out_h, out_w, n_filters)


import keras
from keras import layers


def cifar_cnn(input_shape=(32, 32, 3), n_classes: int = 10) -> keras.Model:
    """La CNN de la clase para CIFAR-10, sin compilar; espera píxeles escalados a [0, 1].

    Tres convoluciones 3 × 3 con ReLU (32, 64 y 128 filtros), max pooling 2 × 2 después de las
    dos primeras, y una capa densa softmax sobre el mapa aplanado.
    """
    inputs = keras.Input(shape=input_shape, name="imagen")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(128, 3, activation="relu", name="conv3")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="logits")(x)
    return keras.Model(inputs, outputs, name="cnn_cifar10")

"""Código de la lección 06_reconocimiento_de_palabras.ipynb (celdas con la etiqueta export:keywords).

Generado por `make notebooks` a partir de notebooks/06_reconocimiento_de_palabras.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import keras
from keras import layers

#: (filtros, tamaño del filtro) de los seis bloques Conv1d del reporte.
SEED_BLOCKS = ((32, 100), (64, 4), (64, 4), (128, 4), (128, 4), (256, 4))


def conv_lengths(n_samples, blocks=SEED_BLOCKS, *, pool_size=4, padding="valid"):
    """Longitud después de cada bloque: (L - F + 2P) / S + 1 con S = 1, luego // pool_size.

    Con padding="same" la convolución conserva la longitud. Un 0 significa que la red no
    admite entradas tan cortas.
    """
    lengths, n = [], int(n_samples)
    for _, kernel in blocks:
        if padding == "valid":
            n = n - kernel + 1
        n = max(n, 0) // pool_size
        lengths.append(n)
    return lengths


def conv1d_block(index, filters, kernel, *, padding="valid"):
    """Un bloque del reporte: Conv1D sin sesgo -> BatchNorm -> ReLU -> MaxPool(4).

    La BatchNorm usa los valores por omisión de PyTorch, el marco del reporte: su
    momentum=0.1 equivale a momentum=0.9 en Keras, con epsilon=1e-5.
    """
    return [
        layers.Conv1D(filters, kernel, padding=padding, use_bias=False, name=f"conv{index}"),
        layers.BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"norm{index}"),
        layers.Activation("relu", name=f"act{index}"),
        layers.MaxPooling1D(4, name=f"pool{index}"),
    ]


def seed_waveform_cnn(n_samples=32_000, n_classes=248):
    """La red 1D del reporte, bloque por bloque; termina en una capa lineal (sin softmax)."""
    lengths = conv_lengths(n_samples)
    if lengths[-1] == 0:
        raise ValueError(
            f"Con {n_samples} muestras, el bloque {lengths.index(0) + 1} de la red del reporte "
            f"deja una longitud de 0 (longitudes {lengths}): la entrada es demasiado corta.")
    model = keras.Sequential(name="seed_cnn1d")
    model.add(keras.Input((n_samples, 1), name="waveform"))
    for index, (filters, kernel) in enumerate(SEED_BLOCKS, start=1):
        for layer in conv1d_block(index, filters, kernel, padding="valid"):
            model.add(layer)
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dense(n_classes, name="linear"))  # Linear(1536, 248) del reporte
    return model


def build_waveform_cnn(n_classes=8, *, n_samples=8000, width=1.0, dropout=0.2):
    """Los mismos seis bloques con relleno 'same', para 1 s a 8 kHz (nuestra adaptación).

    Cada bloque solo divide la longitud por 4: 8000 -> 2000 -> 500 -> 125 -> 31 -> 7 -> 1.
    ``width`` multiplica el número de filtros de cada bloque (redes chicas para pruebas
    rápidas). Termina en dropout y una capa softmax de ``n_classes`` salidas.
    """
    model = keras.Sequential(name="cnn1d_waveform")
    model.add(keras.Input((n_samples, 1), name="waveform"))
    for index, (filters, kernel) in enumerate(SEED_BLOCKS, start=1):
        for layer in conv1d_block(index, max(1, round(filters * width)), kernel, padding="same"):
            model.add(layer)
    model.add(layers.Flatten(name="flatten"))
    model.add(layers.Dropout(dropout, name="dropout"))
    model.add(layers.Dense(n_classes, activation="softmax", name="softmax"))
    return model


from keras import Input, Model
from keras.layers import (
    Activation,
    BatchNormalization,
    Conv2D,
    Dense,
    Dropout,
    GlobalAveragePooling2D,
    MaxPooling2D,
    Rescaling,
)


def conv2d_block(x, filters, *, name, convs=1, activation="relu"):
    """``convs`` veces Conv2D 3x3 (sin sesgo) -> BatchNorm -> activación."""
    for c in range(1, convs + 1):
        x = Conv2D(filters, 3, padding="same", use_bias=False, name=f"{name}_conv{c}")(x)
        x = BatchNormalization(momentum=0.9, epsilon=1e-5, name=f"{name}_norm{c}")(x)
        x = Activation(activation, name=f"{name}_act{c}")(x)
    return x


def build_spectrogram_cnn(n_classes=8, *, input_shape=(40, 63, 1), widths=(32, 64, 128, 128),
                          block=conv2d_block, dropout=0.3, top_db=80.0):
    """CNN 2D sobre el log-mel en dB: cada bloque seguido de MaxPool 2x2; promedio global,
    dropout y softmax.

    ``block(x, filters, name=...)`` construye cada bloque (por omisión ``conv2d_block``);
    la lección 12 le pasa sus variantes. La entrada, de -top_db a 0 dB, se lleva a [0, 1].
    """
    inputs = Input(input_shape, name="log_mel")
    x = Rescaling(1.0 / top_db, offset=1.0, name="db_to_unit")(inputs)
    for b, filters in enumerate(widths, start=1):
        x = block(x, filters, name=f"b{b}")
        x = MaxPooling2D(2, name=f"b{b}_pool")(x)
    x = GlobalAveragePooling2D(name="gap")(x)
    x = Dropout(dropout, name="dropout")(x)
    outputs = Dense(n_classes, activation="softmax", name="softmax")(x)
    return Model(inputs, outputs, name="cnn2d_log_mel")

"""Código de la lección 05_clasificacion_de_genero.ipynb (celdas con la etiqueta export:gender).

Generado por `make notebooks` a partir de notebooks/05_clasificacion_de_genero.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import numpy as np

#: Entrada de la CNN de la clase: 40 MFCC (filas) × 300 frames (columnas) × 1 canal.
CNN_INPUT_SHAPE = (40, 300, 1)


def _as_features(x):
    x = np.asarray(x, dtype=np.float32)
    if x.ndim != 3:
        raise ValueError(f"Se esperaba (clips, coeficientes, frames); la forma es {x.shape}.")
    return x


def as_cnn_input(x):
    """Paso 8 sin el 7: (clips, coeficientes, frames) -> (clips, coeficientes, frames, 1)."""
    return _as_features(x)[..., np.newaxis]


def as_lstm_input(x, zeros_first=True):
    """Paso 7 sin el 8: (clips, coeficientes, frames) -> (clips, frames, coeficientes).

    Con ``zeros_first=True`` los frames de relleno (todos sus coeficientes en cero) pasan al
    principio y los frames reales conservan su orden: la LSTM lee la voz al final.
    """
    seq = _as_features(x).transpose(0, 2, 1)
    if zeros_first:
        real = np.any(seq != 0, axis=2)  # (clips, frames): True en los frames de voz
        order = np.argsort(real, axis=1, kind="stable")  # primero el relleno, orden estable
        seq = np.take_along_axis(seq, order[..., np.newaxis], axis=1)
    return np.ascontiguousarray(seq)


import keras


def build_cnn(input_shape=CNN_INPUT_SHAPE, n_classes=2, *, dropout=0.2,
              hidden_activation="relu", name="cnn_genero"):
    """La CNN de la clase, sin compilar.

    Tres bloques Conv2D -> MaxPooling2D -> Dropout y una capa densa oculta de 128 neuronas.
    La clase usaba ``hidden_activation="softmax"`` (el defecto de la sección 6.2).
    """
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input(shape=tuple(input_shape), name="mfcc"),
            # bloque 1: 32 filtros 4×4; pooling 3×3 con pasos (2, 3)
            layers.Conv2D(32, (4, 4), activation="relu", name="conv1"),
            layers.MaxPooling2D((3, 3), strides=(2, 3), name="pool1"),
            layers.Dropout(dropout, name="drop1"),
            # bloque 2: 64 filtros 3×3; pooling 3×3 con pasos (1, 3)
            layers.Conv2D(64, (3, 3), activation="relu", name="conv2"),
            layers.MaxPooling2D((3, 3), strides=(1, 3), name="pool2"),
            layers.Dropout(dropout, name="drop2"),
            # bloque 3: 128 filtros 3×3; pooling 3×3 con pasos (2, 3)
            layers.Conv2D(128, (3, 3), activation="relu", name="conv3"),
            layers.MaxPooling2D((3, 3), strides=(2, 3), name="pool3"),
            layers.Dropout(dropout, name="drop3"),
            # clasificador: aplanar, capa oculta de 128 y dos salidas softmax
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation=hidden_activation, name="hidden"),
            layers.Dropout(2 * dropout, name="drop_hidden"),
            layers.Dense(n_classes, activation="softmax", name="output"),
        ],
        name=name,
    )


from keras.callbacks import Callback, EarlyStopping
from keras.optimizers import Adam

# np viene de la celda de las entradas (sección 3)


def compile_model(model, *, learning_rate=1e-3):
    """La corrección: Adam, entropía cruzada categórica para etiquetas enteras 0/1 y dos
    salidas softmax, y todos los argumentos por nombre. Devuelve el modelo."""
    model.compile(optimizer=Adam(learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def epoch_progress(total, desc="Entrenando"):
    """Un callback de Keras con una barra de progreso por época y las últimas métricas."""
    from tqdm.auto import tqdm

    class EpochProgress(Callback):
        def on_train_begin(self, logs=None):
            self.bar = tqdm(total=total, desc=desc, unit="época")

        def on_epoch_end(self, epoch, logs=None):
            shown = {k: f"{v:.3f}" for k, v in (logs or {}).items()
                     if k in ("loss", "accuracy", "val_loss", "val_accuracy")}
            self.bar.set_postfix(shown)
            self.bar.update()

        def on_train_end(self, logs=None):
            self.bar.close()

    return EpochProgress()


def fit(model, x_train, y_train, validation, *, epochs=30, batch_size=32, patience=5,
        class_weight=None, desc="Entrenando"):
    """Entrena con parada temprana sobre la pérdida de validación (recupera los mejores
    pesos) y devuelve el History de Keras."""
    stop = EarlyStopping(monitor="val_loss", patience=patience, restore_best_weights=True)
    return model.fit(x_train, y_train, validation_data=validation, epochs=epochs,
                     batch_size=batch_size, class_weight=class_weight,
                     callbacks=[stop, epoch_progress(epochs, desc)], verbose=0)


def positive_probability(model, x, *, batch_size=64):
    """Probabilidad de la clase 1 («mujer», la positiva) para cada clip."""
    return np.asarray(model.predict(x, batch_size=batch_size, verbose=0))[:, 1]


from keras import Input, Sequential
from keras.layers import LSTM, Dense, Masking


def build_lstm(input_shape=(300, 40), n_classes=2, *, units=64, n_layers=4, dropout=0.2,
               recurrent_dropout=0.0, mask_padding=False, name="lstm_genero"):
    """La LSTM apilada de la clase, sin compilar: ``n_layers`` capas LSTM(``units``), todas
    menos la última devuelven la secuencia completa; luego Dense(``n_classes``, softmax).
    Entrada (frames, coeficientes), con el relleno al principio (``as_lstm_input``)."""
    stack = [Input(shape=tuple(input_shape), name="mfcc_por_frame")]
    if mask_padding:
        # salta los frames con todos los coeficientes en cero (no agrega parámetros)
        stack.append(Masking(mask_value=0.0, name="mask_padding"))
    for i in range(n_layers):
        stack.append(LSTM(units, return_sequences=i < n_layers - 1, dropout=dropout,
                          recurrent_dropout=recurrent_dropout, name=f"lstm{i + 1}"))
    stack.append(Dense(n_classes, activation="softmax", name="output"))
    return Sequential(stack, name=name)

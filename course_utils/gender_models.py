"""Models of the gender-from-voice lecture (lessons 05 and 11): CNN, stacked LSTM, XGBoost.

- :func:`build_cnn`: the lecture's 2D CNN on a (40 MFCC x 300 frames x 1) "image". Its layer
  output shapes and parameter counts are the ones the slides state (:data:`CNN_OUTPUT_SHAPES`,
  :data:`CNN_LAYER_PARAMS`, :data:`CNN_TOTAL_PARAMS`). ``hidden_activation="softmax"`` rebuilds
  the lecture's defect (a softmax hidden layer); the default is ``"relu"``.
- :func:`build_lstm`: the lecture's 4 stacked LSTM layers on (frames, n_mfcc).
- :func:`compile_model` (the fix: a loss that matches a 2-unit softmax and keyword arguments) and
  :func:`compile_like_lecture` (rmsprop + binary cross-entropy, needs one-hot labels).
- :func:`fit` with early stopping on validation and an epoch progress bar;
  :func:`positive_probability`; :func:`build_xgboost` for time-collapsed features.

Inputs come from ``course_utils.gender_data`` features of shape (n, n_mfcc, frames):
:func:`as_cnn_input` adds the channel axis and :func:`as_lstm_input` puts time first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "CNN_INPUT_SHAPE",
    "CNN_OUTPUT_SHAPES",
    "CNN_LAYER_PARAMS",
    "CNN_TOTAL_PARAMS",
    "as_cnn_input",
    "as_lstm_input",
    "build_cnn",
    "build_lstm",
    "lstm_params",
    "compile_model",
    "compile_like_lecture",
    "layer_table",
    "epoch_progress",
    "fit",
    "positive_probability",
    "build_xgboost",
]

#: Input of the lecture's CNN: 40 MFCC (rows) x 300 frames (columns) x 1 channel.
CNN_INPUT_SHAPE: tuple[int, int, int] = (40, 300, 1)
#: Output shape of each pooling block for :data:`CNN_INPUT_SHAPE` (the slide's figures).
CNN_OUTPUT_SHAPES: dict[str, tuple[int, int, int]] = {
    "pool1": (18, 99, 32),
    "pool2": (14, 32, 64),
    "pool3": (5, 10, 128),
}
#: Trainable parameters of each layer with weights (the slide's figures).
CNN_LAYER_PARAMS: dict[str, int] = {
    "conv1": 544,
    "conv2": 18_496,
    "conv3": 73_856,
    "hidden": 819_328,
    "output": 258,
}
CNN_TOTAL_PARAMS = 912_482


def _keras():
    import keras

    return keras


# ------------------------------------------------------------------------------- inputs
def _features_3d(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(
            f"Se esperaban características de forma (clips, n_mfcc, frames); la forma es {x.shape}. "
            "Usa la salida de gender_data.extract(...)."
        )
    return x


def as_cnn_input(x: np.ndarray) -> np.ndarray:
    """(n, n_mfcc, frames) -> (n, n_mfcc, frames, 1): a one-channel image per clip."""
    return _features_3d(x)[..., np.newaxis].astype(np.float32, copy=False)


def as_lstm_input(x: np.ndarray, *, zeros_first: bool = True) -> np.ndarray:
    """(n, n_mfcc, frames) -> (n, frames, n_mfcc): one MFCC vector per time step.

    ``zeros_first=True`` moves each clip's padding frames (all zeros) before its real frames,
    which keep their order: the LSTM then reads the voice last, so its final state is not
    diluted by hundreds of empty steps (what Keras' ``pad_sequences`` does by default).
    """
    x = _features_3d(x)
    seq = x.transpose(0, 2, 1)
    if zeros_first:
        real = np.any(seq != 0, axis=2)  # (n, frames)
        order = np.argsort(real, axis=1, kind="stable")  # padding (False) first, order kept
        seq = np.take_along_axis(seq, order[..., np.newaxis], axis=1)
    return np.ascontiguousarray(seq, dtype=np.float32)


# ------------------------------------------------------------------------------- models
def build_cnn(input_shape: Sequence[int] = CNN_INPUT_SHAPE, n_classes: int = 2, *,
              dropout: float = 0.2, hidden_activation: str = "relu", name: str = "cnn_genero"):
    """The lecture's CNN (uncompiled).

    Three blocks Conv2D -> MaxPooling2D -> Dropout (32 filters 4x4 with pool 3x3 / strides (2, 3);
    64 filters 3x3 with pool 3x3 / strides (1, 3); 128 filters 3x3 with pool 3x3 / strides
    (2, 3)), then Flatten -> Dense(128, ``hidden_activation``) -> Dropout(2 x ``dropout``) ->
    Dense(``n_classes``, softmax). The lecture used ``hidden_activation="softmax"``, a defect.
    """
    keras = _keras()
    layers = keras.layers
    input_shape = tuple(int(v) for v in input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"La CNN espera una entrada (n_mfcc, frames, 1); recibí {input_shape}.")
    if not 0.0 <= dropout < 0.5:
        raise ValueError(f"`dropout` debe estar en [0, 0.5) porque la capa densa usa el doble; recibí {dropout}.")
    return keras.Sequential(
        [
            keras.Input(shape=input_shape, name="mfcc"),
            layers.Conv2D(32, (4, 4), activation="relu", name="conv1"),
            layers.MaxPooling2D((3, 3), strides=(2, 3), name="pool1"),
            layers.Dropout(dropout, name="drop1"),
            layers.Conv2D(64, (3, 3), activation="relu", name="conv2"),
            layers.MaxPooling2D((3, 3), strides=(1, 3), name="pool2"),
            layers.Dropout(dropout, name="drop2"),
            layers.Conv2D(128, (3, 3), activation="relu", name="conv3"),
            layers.MaxPooling2D((3, 3), strides=(2, 3), name="pool3"),
            layers.Dropout(dropout, name="drop3"),
            layers.Flatten(name="flatten"),
            layers.Dense(128, activation=hidden_activation, name="hidden"),
            layers.Dropout(2 * dropout, name="drop_hidden"),
            layers.Dense(n_classes, activation="softmax", name="output"),
        ],
        name=name,
    )


def build_lstm(input_shape: Sequence[int] = (300, 40), n_classes: int = 2, *, units: int = 64,
               n_layers: int = 4, dropout: float = 0.2, recurrent_dropout: float = 0.0,
               mask_padding: bool = False, name: str = "lstm_genero"):
    """The lecture's stacked LSTM (uncompiled): ``n_layers`` LSTM(``units``), every one but the
    last returning its whole sequence, then Dense(``n_classes``, softmax).

    Input (frames, n_mfcc). Padding should come first (:func:`as_lstm_input` does it), or use
    ``mask_padding=True``: a ``Masking`` layer makes the LSTMs skip all-zero frames wherever they
    are (no parameters; slower on CPU). The lecture also used recurrent dropout;
    it is 0 by default here because any ``recurrent_dropout > 0`` disables the fast cuDNN
    kernel on a GPU.
    """
    keras = _keras()
    input_shape = tuple(int(v) for v in input_shape)
    if len(input_shape) != 2:
        raise ValueError(f"La LSTM espera una entrada (frames, n_mfcc); recibí {input_shape}.")
    if n_layers < 1:
        raise ValueError(f"`n_layers` debe ser al menos 1; recibí {n_layers}.")
    stack: list[Any] = [keras.Input(shape=input_shape, name="mfcc_por_frame")]
    if mask_padding:
        stack.append(keras.layers.Masking(mask_value=0.0, name="mask_padding"))
    for i in range(n_layers):
        stack.append(keras.layers.LSTM(units, return_sequences=i < n_layers - 1, dropout=dropout,
                                       recurrent_dropout=recurrent_dropout, name=f"lstm{i + 1}"))
    stack.append(keras.layers.Dense(n_classes, activation="softmax", name="output"))
    return keras.Sequential(stack, name=name)


def lstm_params(n_inputs: int, units: int) -> int:
    """Parameters of one LSTM layer: 4 gates x (input weights + recurrent weights + bias)."""
    return 4 * (units * (n_inputs + units) + units)


def compile_model(model, *, learning_rate: float = 1e-3, optimizer: str = "adam"):
    """The fix: sparse categorical cross-entropy (integer labels 0/1, 2-unit softmax) and every
    argument by keyword. Returns the model."""
    keras = _keras()
    optimizers = {"adam": keras.optimizers.Adam, "rmsprop": keras.optimizers.RMSprop}
    if optimizer not in optimizers:
        raise ValueError(f"`optimizer` debe ser uno de {sorted(optimizers)}; recibí {optimizer!r}.")
    model.compile(optimizer=optimizers[optimizer](learning_rate=learning_rate),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def compile_like_lecture(model):
    """The lecture's compile: rmsprop and ``binary_crossentropy`` on a 2-unit softmax.

    It only trains with one-hot labels (``keras.utils.to_categorical(y, 2)``): then the binary
    cross-entropy averaged over the two units equals the categorical one. Integer labels fail.
    """
    model.compile(optimizer="rmsprop", loss="binary_crossentropy", metrics=["accuracy"])
    return model


def layer_table(model) -> pd.DataFrame:
    """One row per layer: name, type, output shape (without the batch axis) and parameters."""
    rows = []
    for layer in model.layers:
        shape = getattr(layer, "output", None)
        shape = tuple(shape.shape[1:]) if shape is not None else ()
        rows.append({"capa": layer.name, "tipo": type(layer).__name__,
                     "forma de salida": shape, "parámetros": int(layer.count_params())})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- training
def epoch_progress(total: int, desc: str = "Entrenando"):
    """A Keras callback that shows one tqdm bar over the epochs, with the latest metrics."""
    from tqdm.auto import tqdm

    class EpochProgress(_keras().callbacks.Callback):
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


def fit(model, x_train: np.ndarray, y_train: np.ndarray, validation: tuple[np.ndarray, np.ndarray],
        *, epochs: int = 30, batch_size: int = 32, patience: int = 5,
        class_weight: dict[int, float] | None = None, progress: bool = True, desc: str = "Entrenando"):
    """Train with early stopping on the validation loss (best weights restored); returns History."""
    keras = _keras()
    if len(x_train) != len(y_train):
        raise ValueError(f"x_train ({len(x_train)}) e y_train ({len(y_train)}) deben tener el mismo largo.")
    callbacks = [keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience,
                                               restore_best_weights=True)]
    if progress:
        callbacks.append(epoch_progress(epochs, desc))
    return model.fit(x_train, y_train, validation_data=validation, epochs=epochs,
                     batch_size=batch_size, class_weight=class_weight, callbacks=callbacks, verbose=0)


def positive_probability(model, x: np.ndarray, *, batch_size: int = 64) -> np.ndarray:
    """Probability of class 1 (the positive class) for every clip."""
    probs = np.asarray(model.predict(x, batch_size=batch_size, verbose=0))
    if probs.ndim != 2 or probs.shape[1] < 2:
        raise ValueError(f"Se esperaba una salida softmax (clips, clases); la forma es {probs.shape}.")
    return probs[:, 1]


def build_xgboost(*, n_estimators: int = 400, max_depth: int = 4, learning_rate: float = 0.05,
                  early_stopping_rounds: int | None = 30, seed: int = 0, device: str | None = None,
                  n_jobs: int | None = None):
    """XGBoost classifier for time-collapsed features, with early stopping on the ``eval_set``
    passed to ``fit`` and the GPU when TensorFlow sees one."""
    from xgboost import XGBClassifier

    from .evaluation import xgboost_device

    return XGBClassifier(
        n_estimators=n_estimators, max_depth=max_depth, learning_rate=learning_rate,
        subsample=0.9, colsample_bytree=0.8, tree_method="hist", eval_metric="logloss",
        early_stopping_rounds=early_stopping_rounds, random_state=seed, n_jobs=n_jobs,
        device=device or xgboost_device(),
    )

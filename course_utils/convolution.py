"""Convolution from scratch and the lecture's CIFAR-10 CNN (lesson 04).

Everything uses TensorFlow's layouts so results can be compared with ``tf.nn.conv2d``:
images are ``(height, width, channels)`` (or a batch ``(n, height, width, channels)``),
filters are ``(f, f, channels_in, channels_out)`` and biases ``(channels_out,)``.
As in every deep-learning library, "convolution" means cross-correlation: the filter is
not flipped.

- :func:`output_size` and :func:`dropped_positions`: the formula (N - F + 2P)/S + 1.
- :func:`pad2d`, :func:`conv2d_loops` (explicit loops), :func:`im2col` and
  :func:`conv2d_im2col` (one matrix product), :func:`coverage` (how often the filter
  visits each pixel), :func:`max_pool2d`.
- :func:`cifar_cnn` and :data:`CIFAR_CNN_PARAMS`: the lecture's Keras CNN (113,738 parameters).
- :func:`activation_model`, :func:`plot_filters`, :func:`plot_feature_maps`: what it learned.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = [
    "CIFAR_CNN_PARAMS",
    "CIFAR_CNN_SHAPES",
    "CIFAR_CNN_TOTAL",
    "activation_model",
    "cifar_cnn",
    "conv2d_im2col",
    "conv2d_loops",
    "coverage",
    "dropped_positions",
    "im2col",
    "max_pool2d",
    "output_size",
    "pad2d",
    "plot_feature_maps",
    "plot_filters",
]

#: Parameters per layer of the lecture's CIFAR-10 CNN (Keras summary), in order.
CIFAR_CNN_PARAMS: dict[str, int] = {
    "conv1": 896,  # 3*3*3*32 + 32
    "pool1": 0,
    "conv2": 18_496,  # 3*3*32*64 + 64
    "pool2": 0,
    "conv3": 73_856,  # 3*3*64*128 + 128
    "flatten": 0,
    "logits": 20_490,  # 2048*10 + 10
}
#: Output shape (without the batch axis) of every layer of that CNN.
CIFAR_CNN_SHAPES: dict[str, tuple[int, ...]] = {
    "conv1": (30, 30, 32),
    "pool1": (15, 15, 32),
    "conv2": (13, 13, 64),
    "pool2": (6, 6, 64),
    "conv3": (4, 4, 128),
    "flatten": (2048,),
    "logits": (10,),
}
CIFAR_CNN_TOTAL = sum(CIFAR_CNN_PARAMS.values())  # 113,738


# ----------------------------------------------------------------------------- sizes
def _non_negative_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"`{name}` debe ser un entero mayor o igual a 0; recibí {value!r}.")
    return int(value)


def _positive_int(value: Any, name: str) -> int:
    if _non_negative_int(value, name) == 0:
        raise ValueError(f"`{name}` debe ser un entero positivo; recibí {value!r}.")
    return int(value)


def output_size(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """Output width (or height) of a convolution or pooling: floor((N - F + 2P) / S) + 1.

    When S does not divide N - F + 2P, the last positions the filter cannot reach are
    dropped (see :func:`dropped_positions`), as TensorFlow and Keras do.
    """
    n, f = _positive_int(n, "n"), _positive_int(f, "f")
    padding, stride = _non_negative_int(padding, "padding"), _positive_int(stride, "stride")
    span = n - f + 2 * padding
    if span < 0:
        raise ValueError(
            f"El filtro ({f}) es más grande que la entrada con relleno ({n} + 2·{padding} = "
            f"{n + 2 * padding}): no cabe ni una vez. Usa un filtro menor o más relleno."
        )
    return span // stride + 1


def dropped_positions(n: int, f: int, padding: int = 0, stride: int = 1) -> int:
    """How many trailing rows (or columns) of the padded input no filter position reaches."""
    out = output_size(n, f, padding, stride)
    return n + 2 * padding - ((out - 1) * stride + f)


# --------------------------------------------------------------------- convolutions
def _as_image(x: np.ndarray, name: str = "x") -> np.ndarray:
    x = np.asarray(x)
    if x.ndim == 2:
        x = x[:, :, np.newaxis]
    if x.ndim != 3:
        raise ValueError(
            f"`{name}` debe ser una imagen (alto, ancho, canales) o una matriz (alto, ancho); "
            f"tiene forma {x.shape}."
        )
    return x


def _as_filters(w: np.ndarray, channels: int) -> np.ndarray:
    w = np.asarray(w)
    if w.ndim == 3:  # a single filter (f, f, channels)
        w = w[..., np.newaxis]
    if w.ndim == 2:  # a single 2-D kernel for a 1-channel image
        w = w[:, :, np.newaxis, np.newaxis]
    if w.ndim != 4 or w.shape[0] != w.shape[1]:
        raise ValueError(
            f"Los filtros deben tener forma (f, f, canales_entrada, n_filtros); tienen {w.shape}."
        )
    if w.shape[2] != channels:
        raise ValueError(
            f"Cada filtro tiene {w.shape[2]} canales, pero la imagen tiene {channels}: "
            "el número de canales del filtro debe coincidir con el de la entrada."
        )
    return w


def _as_bias(b: np.ndarray | Sequence[float] | None, n_filters: int) -> np.ndarray:
    if b is None:
        return np.zeros(n_filters)
    b = np.asarray(b, dtype=float).reshape(-1)
    if b.shape != (n_filters,):
        raise ValueError(f"El sesgo debe tener un valor por filtro ({n_filters}); tiene {b.size}.")
    return b


def pad2d(x: np.ndarray, padding: int) -> np.ndarray:
    """Zero-pad the two spatial axes of an image (height, width[, channels])."""
    padding = _non_negative_int(padding, "padding")
    x = np.asarray(x)
    widths = [(padding, padding), (padding, padding)] + [(0, 0)] * (x.ndim - 2)
    return np.pad(x, widths)


def conv2d_loops(x: np.ndarray, w: np.ndarray, b: np.ndarray | Sequence[float] | None = None, *,
                 stride: int = 1, padding: int = 0) -> np.ndarray:
    """Convolution with explicit loops: one output value = sum(patch * filter) + bias.

    ``x`` is (H, W, C) or (H, W); ``w`` is (F, F, C, K) (or (F, F, C) / (F, F) for one
    filter); returns (H_out, W_out, K). Slow on purpose: it mirrors the hand computation.
    """
    x = _as_image(x)
    w = _as_filters(w, x.shape[2])
    b = _as_bias(b, w.shape[3])
    f = w.shape[0]
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    xp = pad2d(x, padding)
    out = np.zeros((out_h, out_w, w.shape[3]), dtype=np.result_type(x, w, b, np.float32))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * stride, j * stride
            patch = xp[top:top + f, left:left + f, :]
            for k in range(w.shape[3]):
                out[i, j, k] = np.sum(patch * w[:, :, :, k]) + b[k]
    return out


def im2col(x: np.ndarray, f: int, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """Every patch the filter visits, flattened: shape (H_out * W_out, F * F * C).

    Row ``i * W_out + j`` holds the patch of output position (i, j), flattened in the
    same (row, column, channel) order as ``w.reshape(-1, K)``, so a convolution is
    ``im2col(x) @ w.reshape(-1, K)``. (The lecture draws the transpose: one patch per column.)
    """
    x = _as_image(x)
    f = _positive_int(f, "f")
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    xp = pad2d(x, padding)
    windows = np.lib.stride_tricks.sliding_window_view(xp, (f, f), axis=(0, 1))
    # windows: (H', W', C, f, f) -> keep the strided positions, reorder to (f, f, C)
    windows = windows[: (out_h - 1) * stride + 1: stride, : (out_w - 1) * stride + 1: stride]
    return windows.transpose(0, 1, 3, 4, 2).reshape(out_h * out_w, f * f * x.shape[2])


def conv2d_im2col(x: np.ndarray, w: np.ndarray, b: np.ndarray | Sequence[float] | None = None, *,
                  stride: int = 1, padding: int = 0) -> np.ndarray:
    """The same convolution as :func:`conv2d_loops`, computed as one matrix product."""
    x = _as_image(x)
    w = _as_filters(w, x.shape[2])
    b = _as_bias(b, w.shape[3])
    f, k = w.shape[0], w.shape[3]
    out_h = output_size(x.shape[0], f, padding, stride)
    out_w = output_size(x.shape[1], f, padding, stride)
    cols = im2col(x, f, stride=stride, padding=padding)
    return (cols @ w.reshape(-1, k) + b).reshape(out_h, out_w, k)


def coverage(n: int, f: int, *, stride: int = 1, padding: int = 0) -> np.ndarray:
    """How many filter positions cover each pixel of an n x n input (zeros: never seen)."""
    counts = np.zeros((n + 2 * padding, n + 2 * padding), dtype=int)
    out = output_size(n, f, padding, stride)
    for i in range(out):
        for j in range(out):
            counts[i * stride:i * stride + f, j * stride:j * stride + f] += 1
    return counts[padding:padding + n, padding:padding + n]


def max_pool2d(x: np.ndarray, size: int = 2, stride: int | None = None) -> np.ndarray:
    """Max pooling over (H, W) or (H, W, C), window ``size`` x ``size`` (stride = size by default).

    >>> max_pool2d([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]).tolist()
    [[6, 8], [3, 4]]
    """
    x = np.asarray(x)
    if x.ndim not in (2, 3):
        raise ValueError(f"`x` debe ser (alto, ancho) o (alto, ancho, canales); tiene forma {x.shape}.")
    size = _positive_int(size, "size")
    stride = size if stride is None else _positive_int(stride, "stride")
    out_h = output_size(x.shape[0], size, 0, stride)
    out_w = output_size(x.shape[1], size, 0, stride)
    windows = np.lib.stride_tricks.sliding_window_view(x, (size, size), axis=(0, 1))
    windows = windows[: (out_h - 1) * stride + 1: stride, : (out_w - 1) * stride + 1: stride]
    return windows.max(axis=(-2, -1))


# -------------------------------------------------------------------- the Keras CNN
def cifar_cnn(input_shape: tuple[int, int, int] = (32, 32, 3), n_classes: int = 10):
    """The lecture's CIFAR-10 CNN: three 3x3 ReLU convolutions (32, 64, 128 filters), 2x2
    max pooling after the first two, then Flatten and a softmax Dense layer.

    Layer names are the keys of :data:`CIFAR_CNN_PARAMS`. Not compiled. Inputs are
    expected scaled to [0, 1].
    """
    import keras
    from keras import layers

    inputs = keras.Input(shape=input_shape, name="imagen")
    x = layers.Conv2D(32, 3, activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="conv2")(x)
    x = layers.MaxPooling2D(2, name="pool2")(x)
    x = layers.Conv2D(128, 3, activation="relu", name="conv3")(x)
    x = layers.Flatten(name="flatten")(x)
    outputs = layers.Dense(n_classes, activation="softmax", name="logits")(x)
    return keras.Model(inputs, outputs, name="cnn_cifar10")


def activation_model(model, layer_names: Sequence[str]):
    """A model that returns the outputs (feature maps) of ``layer_names`` for an input batch."""
    import keras

    missing = [n for n in layer_names if n not in {layer.name for layer in model.layers}]
    if missing:
        raise ValueError(f"El modelo no tiene las capas {missing}; tiene "
                         f"{[layer.name for layer in model.layers]}.")
    inputs = model.inputs[0] if len(model.inputs) == 1 else model.inputs
    return keras.Model(inputs, [model.get_layer(n).output for n in layer_names])


# -------------------------------------------------------------------------- figures
def _image_grid(images: list[np.ndarray], labels: list[str], *, title: str, cols: int):
    """Small images in a grid of ``cols`` columns, axes hidden; returns the figure."""
    import matplotlib.pyplot as plt

    rows = max(1, int(np.ceil(len(images) / cols)))
    fig, axes = plt.subplots(rows, cols, figsize=(1.2 * cols, 1.3 * rows + 0.6), squeeze=False)
    for idx, ax in enumerate(axes.flat):
        ax.axis("off")
        if idx < len(images):
            image = images[idx]
            ax.imshow(image, cmap=None if image.ndim == 3 else "gray", interpolation="nearest")
            ax.set_title(labels[idx], fontsize=7)
    fig.suptitle(title)
    return fig


def plot_filters(kernel: np.ndarray, *, title: str, max_filters: int = 32, cols: int = 8):
    """Show first-layer filters (f, f, 3, K) as small RGB images, each rescaled to [0, 1]."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"Se esperaban filtros (f, f, canales, K); la forma es {kernel.shape}.")
    images = []
    for idx in range(min(kernel.shape[3], max_filters)):
        w = kernel[:, :, :, idx]
        w = (w - w.min()) / (np.ptp(w) + 1e-12)
        images.append(w if w.shape[2] == 3 else w[:, :, 0])
    return _image_grid(images, [f"filtro {i}" for i in range(len(images))], title=title, cols=cols)


def plot_feature_maps(maps: np.ndarray, *, title: str, max_maps: int = 16, cols: int = 8):
    """Show the channels of one feature map (H, W, K) as grey images (bright = strong response)."""
    maps = np.asarray(maps)
    if maps.ndim != 3:
        raise ValueError(f"Se esperaba un mapa (alto, ancho, canales); la forma es {maps.shape}.")
    k = min(maps.shape[2], max_maps)
    return _image_grid([maps[:, :, i] for i in range(k)], [f"canal {i}" for i in range(k)],
                       title=f"{title} ({maps.shape[0]}×{maps.shape[1]} píxeles por mapa)",
                       cols=cols)

"""Figures of what a CNN learned, for lesson 04 (filters, feature maps) and its probe model.

The convolution by hand (``conv2d_loops``, ``im2col``, ``max_pool2d``...) and the lecture's
CIFAR-10 CNN are written in lesson 04 and exported to :mod:`course_utils.models.convolution`;
this module keeps the plotting plumbing, which the lesson does not teach.

- :func:`activation_model`: a model returning the feature maps of some layers.
- :func:`plot_filters`, :func:`plot_feature_maps`: first-layer filters and feature maps as images.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["activation_model", "plot_feature_maps", "plot_filters"]


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

"""Lesson 04's exported code (course_utils.models.convolution): hand-made convolutions equal
tf.nn.conv2d; the lecture's pooling example and CNN parameter counts. Plots and the probe model
come from course_utils.cnn_plots."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from course_utils import cnn_plots as plots
from course_utils.models import convolution as cv

LECTURE_POOL_IN = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]


def _tf_conv(x, w, b, stride, padding):
    import tensorflow as tf

    pads = [[0, 0], [padding, padding], [padding, padding], [0, 0]]
    out = tf.nn.conv2d(x[np.newaxis].astype(np.float64), w.astype(np.float64),
                       strides=stride, padding=pads)
    return out.numpy()[0] + b


@pytest.mark.parametrize(("shape", "f", "k", "stride", "padding"), [
    ((6, 6, 2), 3, 2, 2, 1),  # the lecture's case: stride 2 drops the last row/column
    ((7, 5, 3), 3, 4, 1, 0),
    ((9, 9, 1), 5, 1, 2, 2),
    ((8, 8, 3), 2, 3, 3, 0),
])
def test_conv_by_hand_equals_tf_conv2d(shape, f, k, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.integers(-3, 4, size=shape).astype(float)
    w = rng.integers(-2, 3, size=(f, f, shape[2], k)).astype(float)
    b = rng.integers(-2, 3, size=k).astype(float)
    expected = _tf_conv(x, w, b, stride, padding)
    loops = cv.conv2d_loops(x, w, b, stride=stride, padding=padding)
    fast = cv.conv2d_im2col(x, w, b, stride=stride, padding=padding)
    assert loops.shape == expected.shape
    np.testing.assert_allclose(loops, expected, atol=1e-9)
    np.testing.assert_allclose(fast, expected, atol=1e-9)


def test_conv_single_channel_hand_value():
    x = np.arange(16.0).reshape(4, 4)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    out = cv.conv2d_loops(x, w)
    # x[i, j] - x[i + 1, j + 1] = -5 everywhere; the filter is not flipped (cross-correlation)
    assert out.shape == (3, 3, 1)
    assert np.all(out == -5)


def test_output_size_formula():
    assert cv.output_size(32, 3) == 30
    assert cv.output_size(7, 3, padding=0, stride=2) == 3
    assert cv.output_size(6, 3, padding=1, stride=2) == 3  # (6 - 3 + 2) / 2 + 1 = 3.5 -> 3
    assert cv.output_size(15, 2, stride=2) == 7
    with pytest.raises(ValueError, match="no cabe"):
        cv.output_size(2, 3)


def test_max_pool_lecture_example():
    out = cv.max_pool2d(LECTURE_POOL_IN, size=2, stride=2)
    assert out.tolist() == [[6, 8], [3, 4]]
    stacked = np.stack([np.array(LECTURE_POOL_IN), -np.array(LECTURE_POOL_IN)], axis=-1)
    both = cv.max_pool2d(stacked)
    assert both.shape == (2, 2, 2)
    assert both[:, :, 1].tolist() == [[-1, -2], [-1, 0]]


def test_max_pool_matches_keras():
    import keras

    rng = np.random.default_rng(1)
    x = rng.normal(size=(13, 13, 4)).astype("float32")
    expected = keras.layers.MaxPooling2D(2)(x[np.newaxis]).numpy()[0]
    np.testing.assert_allclose(cv.max_pool2d(x, 2), expected)
    assert expected.shape == (6, 6, 4)


def test_im2col_layout_matches_lecture():
    # The lecture's second channel, 3x3 filter, stride 2, no padding: 4 positions.
    x = np.array([[0, 1, 2, 2, 0, 1], [1, 2, 0, 0, 2, 4], [4, 3, 2, 1, 2, 0],
                  [0, 2, 2, 1, 0, 3], [2, 1, 3, 0, 0, 1], [2, 1, 0, 2, 1, 0]])
    cols = cv.im2col(x, 3, stride=2)
    assert cols.shape == (4, 9)
    # first value of every patch (the lecture's first row "0 2 4 2")
    assert cols[:, 0].tolist() == [0, 2, 4, 2]
    assert cols.T[1].tolist() == [1, 2, 3, 1]


def test_shape_errors_are_spanish():
    with pytest.raises(ValueError, match="canales"):
        cv.conv2d_loops(np.zeros((5, 5, 3)), np.zeros((3, 3, 2, 1)))


def test_cifar_cnn_parameter_counts_and_shapes():
    model = cv.cifar_cnn()
    assert model.count_params() == 113_738
    params = {"conv1": 896, "pool1": 0, "conv2": 18_496, "pool2": 0, "conv3": 73_856, "flatten": 0,
              "logits": 20_490}
    shapes = {"conv1": (30, 30, 32), "pool1": (15, 15, 32), "conv2": (13, 13, 64),
              "pool2": (6, 6, 64), "conv3": (4, 4, 128), "flatten": (2048,), "logits": (10,)}
    for name, count in params.items():
        layer = model.get_layer(name)
        assert layer.count_params() == count, name
        assert tuple(layer.output.shape[1:]) == shapes[name], name
    maps = plots.activation_model(model, ["conv1", "conv3"])(np.zeros((2, 32, 32, 3), "float32"))
    assert [tuple(m.shape) for m in maps] == [(2, 30, 30, 32), (2, 4, 4, 128)]
    with pytest.raises(ValueError, match="no tiene"):
        plots.activation_model(model, ["conv9"])


def test_plots_are_labelled():
    fig = plots.plot_filters(np.random.default_rng(0).normal(size=(3, 3, 3, 10)), title="Filtros")
    assert fig._suptitle.get_text() == "Filtros"
    assert sum(ax.get_title().startswith("filtro") for ax in fig.axes) == 10
    fig = plots.plot_feature_maps(np.zeros((30, 30, 4)), title="Mapas")
    assert "30×30" in fig._suptitle.get_text()

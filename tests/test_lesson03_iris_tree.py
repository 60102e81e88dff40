"""Lesson 03's reading of the lecture's iris tree: the facts its prose relies on."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_iris
from sklearn.tree import DecisionTreeClassifier


def test_short_petals_are_setosa_not_versicolor():
    iris = load_iris()
    length = iris.data[:, iris.feature_names.index("petal length (cm)")]
    width = iris.data[:, iris.feature_names.index("petal width (cm)")]
    short = length <= 2.45
    assert set(iris.target_names[iris.target[short]]) == {"setosa"} and short.sum() == 50
    versicolor = length[iris.target_names[iris.target] == "versicolor"]
    assert versicolor.min() > 2.45
    assert np.array_equal(short, width <= 0.8)  # the two root questions tie


def test_the_inner_node_says_versicolor_on_a_tie():
    iris = load_iris()
    tree = DecisionTreeClassifier(max_depth=2, random_state=0).fit(iris.data, iris.target).tree_
    right = tree.children_right[0]
    assert tree.children_left[right] != -1  # not a leaf: a second question follows
    shares = tree.value[right].ravel() / tree.value[right].sum()  # counts or fractions
    assert tree.n_node_samples[right] == 100 and np.allclose(shares, [0, 0.5, 0.5])
    assert iris.target_names[int(np.argmax(tree.value[right]))] == "versicolor"

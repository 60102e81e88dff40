"""Unit tests for course_utils.splits: group-disjoint splits and the leak check."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import splits

SPEAKERS = np.repeat(["george", "jackson", "lucas", "nicolas", "theo", "yweweler"], 50)


def test_group_train_test_split_is_disjoint_and_complete():
    train, test = splits.group_train_test_split(SPEAKERS, test_size=2, seed=3)
    assert len(train) + len(test) == len(SPEAKERS)
    assert set(train).isdisjoint(test)
    assert set(SPEAKERS[train]).isdisjoint(SPEAKERS[test])
    assert len(set(SPEAKERS[test])) == 2  # test_size counts groups, not clips
    assert len(test) == 100


def test_group_train_test_split_is_reproducible():
    a = splits.group_train_test_split(SPEAKERS, seed=7)
    b = splits.group_train_test_split(SPEAKERS, seed=7)
    np.testing.assert_array_equal(a[1], b[1])


def test_group_train_test_split_needs_two_groups():
    with pytest.raises(ValueError, match="2 grupos"):
        splits.group_train_test_split(["a"] * 10)
    with pytest.raises(ValueError, match="1-D"):
        splits.group_train_test_split([])


def test_group_kfold_tests_every_group_exactly_once():
    tested = []
    for train, test in splits.group_kfold(SPEAKERS, n_splits=6):
        assert set(SPEAKERS[train]).isdisjoint(SPEAKERS[test])
        tested += sorted(set(SPEAKERS[test]))
    assert sorted(tested) == sorted(set(SPEAKERS))


def test_group_kfold_rejects_too_many_folds():
    with pytest.raises(ValueError, match="n_splits"):
        list(splits.group_kfold(SPEAKERS, n_splits=7))


def test_crossing_groups_finds_the_leak():
    rng = np.random.default_rng(0)
    idx = rng.permutation(len(SPEAKERS))
    train, test = idx[:240], idx[240:]  # a random split of clips mixes every speaker
    assert splits.crossing_groups(SPEAKERS, train, test) == set(SPEAKERS)
    with pytest.raises(ValueError, match="Fuga entre particiones: 6 grupo"):
        splits.assert_group_disjoint(SPEAKERS, train, test)


def test_assert_group_disjoint_accepts_a_clean_split_with_three_sets():
    idx = np.arange(len(SPEAKERS))
    splits.assert_group_disjoint(SPEAKERS, idx[:100], idx[100:200], idx[200:])
    assert splits.crossing_groups(SPEAKERS, idx[:100], idx[100:200], idx[200:]) == set()
    with pytest.raises(ValueError):
        splits.assert_group_disjoint(SPEAKERS, idx[:100], idx[90:200])

"""Group-aware train/test splits: keep every speaker (or recording) on one side only.

Clips of the same speaker, or chunks of the same recording, look alike; if some land
in training and others in test, the test score measures memory of the speaker, not
generalisation to new ones. These helpers wrap scikit-learn's ``GroupShuffleSplit`` and
``GroupKFold`` and verify that no group crosses the split.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
from sklearn.model_selection import GroupKFold, GroupShuffleSplit

__all__ = ["group_train_test_split", "group_kfold", "crossing_groups", "assert_group_disjoint"]


def _groups_array(groups: Sequence | np.ndarray) -> np.ndarray:
    groups = np.asarray(groups)
    if groups.ndim != 1 or groups.size == 0:
        raise ValueError("`groups` debe ser una lista 1-D no vacía (p. ej. el hablante de cada clip).")
    return groups


def crossing_groups(groups: Sequence | np.ndarray, *index_sets: Sequence[int] | np.ndarray
                    ) -> set:
    """Groups that appear in more than one of the given index sets."""
    groups = _groups_array(groups)
    seen: dict = {}
    crossing = set()
    for k, idx in enumerate(index_sets):
        for g in set(groups[np.asarray(idx, dtype=int)].tolist()):
            if g in seen and seen[g] != k:
                crossing.add(g)
            seen.setdefault(g, k)
    return crossing


def assert_group_disjoint(groups: Sequence | np.ndarray, *index_sets: Sequence[int] | np.ndarray
                          ) -> None:
    """Raise ``ValueError`` (in Spanish) if any group has members in two index sets."""
    crossing = crossing_groups(groups, *index_sets)
    if crossing:
        shown = ", ".join(map(str, sorted(crossing, key=str)[:5]))
        raise ValueError(
            f"Fuga entre particiones: {len(crossing)} grupo(s) aparecen en más de una "
            f"partición ({shown}). Usa group_train_test_split o group_kfold."
        )


def group_train_test_split(groups: Sequence | np.ndarray, *, test_size: float | int = 0.2,
                           seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, test) with every group entirely on one side (GroupShuffleSplit).

    ``test_size`` is a fraction (or a count) of the *groups*, not of the clips.
    """
    groups = _groups_array(groups)
    n_groups = len(np.unique(groups))
    if n_groups < 2:
        raise ValueError(
            f"Hace falta al menos 2 grupos distintos para separar; hay {n_groups}."
        )
    splitter = GroupShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(groups)), groups=groups))
    assert_group_disjoint(groups, train, test)
    return np.sort(train), np.sort(test)


def group_kfold(groups: Sequence | np.ndarray, n_splits: int = 5
                ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield (train, test) indices of ``n_splits`` folds; each group is tested exactly once.

    With ``n_splits`` equal to the number of groups this is leave-one-group-out.
    """
    groups = _groups_array(groups)
    n_groups = len(np.unique(groups))
    if not 2 <= n_splits <= n_groups:
        raise ValueError(
            f"`n_splits` debe estar entre 2 y el número de grupos ({n_groups}); recibí {n_splits}."
        )
    for train, test in GroupKFold(n_splits=n_splits).split(np.zeros(len(groups)), groups=groups):
        assert_group_disjoint(groups, train, test)
        yield train, test

"""Deterministic synthetic twins of the course datasets.

Each generator writes, into a dataset folder, files with exactly the real dataset's layout and
formats (so that ``dataset_dir / manifest.root`` is the root the loaders in
``course_utils.datasets`` read), built from (params, seed) only: same inputs, same bytes.
Used through ``course_utils.data.fetch(name, source="synthetic")``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import (
    cifar10,
    common_voice,
    fleurs,
    fsdd,
    mini_librispeech,
    mini_speech_commands,
    tiny_shakespeare,
)

Generator = Callable[[Path, dict, int], None]

GENERATORS: dict[str, Generator] = {
    "fsdd": fsdd.build,
    "mini_speech_commands": mini_speech_commands.build,
    "tiny_shakespeare": tiny_shakespeare.build,
    "cifar10": cifar10.build,
    "mini_librispeech": mini_librispeech.build,
    "fleurs": fleurs.build,
    "common_voice": common_voice.build,
}

__all__ = ["GENERATORS", "Generator"]

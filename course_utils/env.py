"""Environment set-up shared by every lesson: seeds, logging, plotting and devices.

``setup()`` is the first call of every notebook. It works the same in Colab and
locally, with or without a GPU, and returns a :class:`CourseEnv` describing what
the lesson can use.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import platform
import random
import sys
import tempfile
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CourseEnv", "data_dir", "in_colab", "seed_everything", "setup"]

#: Matplotlib defaults of the course: readable figures with a light grid.
MATPLOTLIB_DEFAULTS: dict[str, Any] = {
    "figure.figsize": (9.0, 3.5),
    "figure.dpi": 100,
    "figure.autolayout": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": "large",
    "axes.labelsize": "medium",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
    "image.cmap": "magma",
}


@dataclass(frozen=True)
class CourseEnv:
    """What a lesson needs to know about the machine it runs on."""

    in_colab: bool
    data_dir: Path
    gpu: bool
    gpus: list[str]
    strategy: Any  # tf.distribute.Strategy
    seed: int
    deterministic: bool = False
    versions: dict[str, str] = field(default_factory=dict)


def in_colab() -> bool:
    """True when running inside Google Colab."""
    return "google.colab" in sys.modules


def data_dir() -> Path:
    """Folder where datasets are cached: ``course_utils.data.cache_root()``.

    ``$COURSE_DATA_DIR`` if set, else ``/content/course_data`` on Colab, else a
    per-user cache folder (``~/.cache/course_data`` on Linux).
    """
    from course_utils.data.cache import cache_root

    return cache_root()


@contextlib.contextmanager
def _quiet_native_stderr() -> Iterator[None]:
    """Hide what native libraries write straight to file descriptor 2.

    TensorFlow's C++ start-up messages (CUDA probing, oneDNN notes) bypass
    Python's logging. If the block fails, the hidden text is shown after all.
    """
    try:
        saved = os.dup(2)
    except OSError:  # no real stderr (some embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile() as sink:
        sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            sink.seek(0)
            sys.stderr.write(sink.read().decode(errors="replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _import_tensorflow(quiet: bool) -> Any:
    """Import TensorFlow, optionally with its log noise turned down."""
    if quiet:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        with _quiet_native_stderr(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import tensorflow as tf

            tf.config.list_physical_devices()  # triggers the CUDA probe now, quietly
        tf.get_logger().setLevel(logging.ERROR)
        with contextlib.suppress(ImportError):
            from absl import logging as absl_logging

            absl_logging.set_verbosity(absl_logging.ERROR)
        return tf
    import tensorflow as tf

    return tf


def seed_everything(seed: int, deterministic: bool = False) -> None:
    """Seed Python, NumPy and TensorFlow; optionally make TensorFlow ops deterministic.

    Determinism makes some GPU ops slower (or unavailable), so it is opt-in.
    """
    import numpy as np

    seed = int(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)  # affects subprocesses only
    random.seed(seed)
    np.random.seed(seed)
    try:
        tf = _import_tensorflow(quiet=True)
    except ImportError:
        return
    tf.keras.utils.set_random_seed(seed)
    if deterministic:
        tf.config.experimental.enable_op_determinism()


def _gpu_names(tf: Any) -> list[str]:
    """Human-readable names of the visible GPUs (memory growth enabled on each)."""
    names = []
    for device in tf.config.list_physical_devices("GPU"):
        # Grow memory on demand so XGBoost or a second notebook can share the card.
        with contextlib.suppress(RuntimeError, ValueError):
            tf.config.experimental.set_memory_growth(device, True)
        try:
            details = tf.config.experimental.get_device_details(device)
        except (RuntimeError, ValueError):
            details = {}
        names.append(details.get("device_name") or device.name)
    return names


def _strategy(tf: Any, n_gpus: int) -> Any:
    """A strategy that uses every visible GPU: MirroredStrategy across several, else the default
    strategy, which places work on the single GPU or the CPU without the overhead of a
    OneDeviceStrategy (measured about 2x slower per epoch for small models on this CPU)."""
    if n_gpus > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        if package == "course_utils":  # used from a checkout without installing it
            from course_utils import __version__

            return __version__
        return "no instalado"


def _apply_matplotlib_defaults() -> None:
    try:
        import matplotlib
    except ImportError:
        return
    matplotlib.rcParams.update(MATPLOTLIB_DEFAULTS)


def _banner(env: CourseEnv) -> str:
    where = "Colab" if env.in_colab else "local"
    v = env.versions
    line1 = (
        f"Curso de audio · {where} · Python {v['python']} · TensorFlow {v['tensorflow']}"
        f" · librosa {v['librosa']}"
    )
    if env.gpu:
        device = "GPU: " + ", ".join(env.gpus)
    else:
        device = "sin GPU: el entrenamiento será más lento"
    line2 = f"{device} · semilla {env.seed} · datos en {env.data_dir}"
    return f"{line1}\n{line2}"


def setup(seed: int = 0, deterministic: bool = False, quiet_tf: bool = True) -> CourseEnv:
    """Prepare the session for a lesson and print a short banner.

    Seeds Python, NumPy and TensorFlow (``deterministic=True`` also turns on
    TensorFlow's op determinism), quiets TensorFlow's logs, sets matplotlib
    defaults and picks a ``tf.distribute`` strategy over every visible GPU.
    """
    tf = _import_tensorflow(quiet=quiet_tf)
    seed_everything(seed, deterministic=deterministic)
    _apply_matplotlib_defaults()
    gpus = _gpu_names(tf)
    with _quiet_native_stderr() if quiet_tf else contextlib.nullcontext():
        strategy = _strategy(tf, len(gpus))
    env = CourseEnv(
        in_colab=in_colab(),
        data_dir=data_dir(),
        gpu=bool(gpus),
        gpus=gpus,
        strategy=strategy,
        seed=int(seed),
        deterministic=deterministic,
        versions={
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "librosa": _version("librosa"),
            "numpy": _version("numpy"),
            "course_utils": _version("course_utils"),
        },
    )
    print(_banner(env))
    return env

"""Environment set-up shared by every lesson: seeds, logging, plotting and devices.

``setup()`` is the first call of every notebook. It works the same in Colab and
locally, with or without a GPU, and returns a :class:`CourseEnv` describing what
the lesson can use. ``report_pip_install()`` is what the setup cell says in Colab
about what ``pip`` installed.
"""

from __future__ import annotations

import contextlib
import glob
import importlib.metadata
import json
import logging
import os
import platform
import random
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["CourseEnv", "data_dir", "in_colab", "report_pip_install", "seed_everything", "setup"]

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
    gpu: bool
    gpus: list[str]
    strategy: Any  # tf.distribute.Strategy
    seed: int
    deterministic: bool = False
    versions: dict[str, str] = field(default_factory=dict)
    tpu: bool = False  # a TPU runtime: the course doesn't use it, training runs on the CPU

    @property
    def data_dir(self) -> Path:
        """The data folder now (``COURSE_DATA_DIR``...): it follows ``data.use_drive_cache()``."""
        return data_dir()


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


TPU_MESSAGE = (
    "Este entorno de ejecución tiene TPU, pero el curso no usa TPU: TensorFlow entrenaría en la CPU, "
    "mucho más lento. Cambia a GPU (Entorno de ejecución → Cambiar tipo de entorno de ejecución → "
    "GPU T4 → Guardar) y vuelve a ejecutar el cuaderno desde el principio."
)


def _tpu_runtime(tf: Any) -> bool:
    """True on a TPU runtime (Colab's TPU VMs and the older TPU nodes)."""
    if any(os.environ.get(v) for v in ("COLAB_TPU_ADDR", "TPU_NAME", "TPU_ACCELERATOR_TYPE")):
        return True
    if in_colab() and glob.glob("/dev/accel*"):  # TPU chips of a Colab TPU VM
        return True
    try:
        return bool(tf.config.list_physical_devices("TPU"))
    except Exception:  # noqa: BLE001 - a TensorFlow without TPU support
        return False


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
    return f"{line1}\n{line2}" + (f"\n{TPU_MESSAGE}" if env.tpu else "")


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
        tpu=not gpus and _tpu_runtime(tf),
    )
    print(_banner(env))
    return env


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _conflicts(changed: Mapping[str, str]) -> list[str]:
    """Installed packages whose requirements exclude the new version of a changed package."""
    try:
        from packaging.requirements import InvalidRequirement, Requirement
    except ImportError:  # pragma: no cover - packaging comes with TensorFlow
        return []
    found = []
    for dist in importlib.metadata.distributions():
        for spec in dist.requires or []:
            try:
                req = Requirement(spec)
            except InvalidRequirement:
                continue
            version = changed.get(_canonical(req.name))
            if version is None or (req.marker is not None and not req.marker.evaluate({"extra": ""})):
                continue
            if not req.specifier.contains(version, prereleases=True):
                found.append(f"{dist.metadata['Name']} pide {req.name}{req.specifier}")
    return sorted(set(found))


def report_pip_install(report: str | os.PathLike[str], before: Mapping[str, str],
                       package: str = "course_utils") -> list[str]:
    """Say in one Spanish line what the setup cell's ``pip install --report`` installed.

    ``before`` maps each distribution installed before pip ran to its version. If pip
    changed one of them (a package Colab already had), say so plainly on stderr, with the
    conflicts it causes and what to do: restart the session. Returns the changes.
    """
    path = Path(report)
    try:
        items = json.loads(path.read_text(encoding="utf-8")).get("install", [])
    except (OSError, ValueError):
        print(f"No encontré el informe de pip ({path}): lee el mensaje de pip de arriba y vuelve a "
              "ejecutar esta celda.", file=sys.stderr)
        return []
    had = {_canonical(name): version for name, version in before.items() if name}
    ours, new, changes, changed = None, [], [], {}
    for item in items:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        key = _canonical(name)
        if key == _canonical(package):
            ours = version
        elif key not in had:
            new.append(f"{name} {version}")
        elif had[key] != version:
            changes.append(f"{name} {had[key]} → {version}")
            changed[key] = version
    installed = f"pip instaló {package} {ours}" if ours else f"pip no reinstaló {package}"
    if new:
        installed += f" y {len(new)} paquete(s) que no estaban ({', '.join(new)})"
    if not changes:
        print(f"{installed}; no cambió ningún paquete de los que ya estaban instalados: no hace falta "
              "reiniciar la sesión, aunque Jupyter sugiera hacerlo.")
        return []
    conflicts = _conflicts(changed)
    print(
        f"{installed}. ATENCIÓN: también cambió paquetes que ya estaban instalados: {', '.join(changes)}"
        + (f" (conflictos: {'; '.join(conflicts)})" if conflicts else "")
        + ". Reinicia la sesión (Entorno de ejecución → Reiniciar sesión) y vuelve a ejecutar el "
        "cuaderno desde el principio; si el entorno no vuelve a arrancar, usa Entorno de ejecución → "
        "Desconectar y borrar el entorno de ejecución, y avisa en el repositorio del curso.",
        file=sys.stderr,
    )
    return changes

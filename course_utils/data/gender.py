"""Gender-from-voice data for lessons 05 and 11: one table, speaker-disjoint splits, features.

- :func:`gender_table` turns Mini LibriSpeech (sex per speaker from SPEAKERS.TXT) or Common Voice
  (the optional ``gender`` column) into the same table: ``path``, ``speaker``, ``label`` (0 =
  hombre, 1 = mujer, the positive class), ``clase``, plus ``age`` and ``accent`` when the data
  has them.
- :func:`speaker_split`: train / validation / test with every speaker on one side only and both
  classes in every split (stratified at the speaker level); :func:`split_group` says whether a
  copy has enough speakers for it (else split by clip, with a warning).
- :func:`gender_pipeline` and :func:`extract`: the lecture's 40 MFCC x 300 frames.
- :func:`collapse_time`: per-coefficient statistics over time for XGBoost, with or without the
  zero padding (the lecture's question).
- :func:`median_pitch` (fundamental frequency of the loud frames, YIN) and :func:`pitch_band`
  to group clips by how low or high the voice is.
- Common Voice from Kaggle: :func:`kaggle_credentials_present`, :func:`download_common_voice`,
  :func:`write_labelled_subset` (then ``python -m course_utils pack``); :func:`common_voice_root`
  resolves a lesson's ``COMMON_VOICE_SOURCE`` ("real", "synthetic" or a folder).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..audio import MFCCPipeline, extract_features, load
from ..splits import assert_group_disjoint

__all__ = [
    "LABELS",
    "DATASETS",
    "gender_table",
    "speaker_split",
    "split_group",
    "split_summary",
    "balanced_class_weight",
    "gender_pipeline",
    "extract",
    "valid_frame_mask",
    "collapse_time",
    "median_pitch",
    "pitch_band",
    "kaggle_credentials_present",
    "download_common_voice",
    "write_labelled_subset",
    "common_voice_root",
]

#: Class names by label: 0 = hombre, 1 = mujer (the positive class of ROC curves).
LABELS: tuple[str, str] = ("hombre", "mujer")
#: Datasets :func:`gender_table` understands.
DATASETS: tuple[str, str] = ("mini_librispeech", "common_voice")
#: Gender values of LibriSpeech (F/M) and of Common Voice releases (old and new spellings).
_GENDER_CODES = {"m": 0, "male": 0, "male_masculine": 0, "f": 1, "female": 1, "female_feminine": 1}
KAGGLE_DATASET = "mozillaorg/common-voice"


# ---------------------------------------------------------------------------------- table
def _encode(values: pd.Series) -> pd.Series:
    return values.astype("string").str.strip().str.lower().map(_GENDER_CODES)


def gender_table(name: str, root: str | os.PathLike, *, subset: str | None = None) -> pd.DataFrame:
    """Clips with a binary gender label, in the same columns for both datasets.

    Columns: ``path``, ``speaker`` (the group a split must keep together), ``label`` (int),
    ``clase`` (``LABELS[label]``) and, for Common Voice, ``age``, ``accent`` and ``duration``
    ("sin dato" when empty). Common Voice rows without gender or with "other" are dropped.
    Kaggle's Common Voice (release 1) has no speaker identifier: each clip becomes its own group
    and ``table.attrs["speaker_ids"]`` is False, so a split cannot keep a speaker's clips together.
    """
    if name not in DATASETS:
        raise ValueError(f"Conjunto desconocido {name!r}: usa uno de {DATASETS}.")
    from .. import datasets

    if name == "mini_librispeech":
        raw = datasets.librispeech_table(root, **({"subset": subset} if subset else {}))
        table = pd.DataFrame({"path": raw["path"], "speaker": raw["speaker"].astype(str)})
        table["label"] = _encode(raw["sex"])
        speaker_ids = True
    elif name == "common_voice":
        raw = datasets.common_voice_table(root, **({"subset": subset} if subset else {}))
        table = pd.DataFrame({"path": raw["path"]})
        table["label"] = _encode(raw["gender"])
        id_column = next((c for c in ("client_id", "speaker") if c in raw.columns), None)
        speaker_ids = id_column is not None
        if speaker_ids:
            table["speaker"] = raw[id_column].astype(str)
        else:
            table["speaker"] = ["clip:" + Path(p).stem for p in raw["path"]]
        for column in ("age", "accent"):
            if column in raw.columns:
                table[column] = raw[column].astype("string").fillna("sin dato").replace("", "sin dato")
        if "duration" in raw.columns:
            table["duration"] = pd.to_numeric(raw["duration"], errors="coerce")
    table = table[table["label"].notna()].copy()
    if table.empty:
        raise ValueError(f"Ningún clip de {name} tiene una etiqueta de género (F/M, female/male).")
    table["label"] = table["label"].astype(int)
    table["clase"] = [LABELS[v] for v in table["label"]]
    table["path"] = table["path"].map(str)
    columns = ["path", "speaker", "label", "clase"] + [
        c for c in ("age", "accent", "duration") if c in table.columns]
    table = table[columns].reset_index(drop=True)
    table.attrs["speaker_ids"] = speaker_ids
    table.attrs["dataset"] = name
    return table


# --------------------------------------------------------------------------------- splits
def speaker_split(table: pd.DataFrame, *, val_size: float = 0.2, test_size: float = 0.2,
                  seed: int = 0, group: str = "speaker", label: str = "label"
                  ) -> dict[str, np.ndarray]:
    """Row indices ``{"train", "val", "test"}``; every group (speaker) lies in one split only.

    Sizes are fractions of the groups, taken per class, so every split has speakers of both
    classes (each class needs at least 3 groups). A group's class is its most frequent label.
    """
    if not (0 < val_size < 1 and 0 < test_size < 1 and val_size + test_size < 1):
        raise ValueError(f"val_size ({val_size}) y test_size ({test_size}) deben ser fracciones "
                         "positivas que sumen menos de 1.")
    for column in (group, label):
        if column not in table.columns:
            raise KeyError(f"La tabla no tiene la columna {column!r}.")
    group_label = table.groupby(group)[label].agg(lambda s: s.mode().iloc[0])
    rng = np.random.default_rng(seed)
    chosen: dict[str, list] = {"train": [], "val": [], "test": []}
    for cls, members in group_label.groupby(group_label):
        names = np.array(sorted(members.index, key=str), dtype=object)
        if len(names) < 3:
            raise ValueError(f"La clase {cls} tiene {len(names)} hablante(s): hacen falta al menos 3 "
                             "para repartirlos entre entrenamiento, validación y prueba.")
        rng.shuffle(names)
        n_test = max(1, round(test_size * len(names)))
        n_val = max(1, min(round(val_size * len(names)), len(names) - n_test - 1))
        chosen["test"] += list(names[:n_test])
        chosen["val"] += list(names[n_test:n_test + n_val])
        chosen["train"] += list(names[n_test + n_val:])
    groups = table[group].to_numpy()
    splits = {k: np.flatnonzero(np.isin(groups, np.array(v, dtype=object))) for k, v in chosen.items()}
    assert_group_disjoint(groups, splits["train"], splits["val"], splits["test"])
    return splits


def split_group(table: pd.DataFrame, *, group: str = "speaker", label: str = "label",
                min_groups: int = 3) -> tuple[str, str | None]:
    """``(column, warning)`` to split ``table`` by: ``group`` when every class has at least
    ``min_groups`` groups (``warning`` is None); otherwise a ``"clip"`` column (added to
    ``table``: every clip its own group) and a Spanish warning saying why."""
    group_label = table.groupby(group)[label].agg(lambda s: s.mode().iloc[0])
    per_class = group_label.value_counts().reindex(range(len(LABELS)), fill_value=0)
    if per_class.min() >= min_groups:
        return group, None
    table["clip"] = np.arange(len(table)).astype(str)
    counts = ", ".join(f"{LABELS[k]}: {n}" for k, n in per_class.items())
    return "clip", (
        f"Aviso: esta copia tiene pocos hablantes por clase ({counts}); hacen falta al menos "
        f"{min_groups} por clase para separar entrenamiento, validación y prueba por hablante. "
        "Reparto los clips en su lugar: una misma voz queda en más de una partición y la "
        "exactitud de prueba puede salir inflada. Con más hablantes, la lección separa por "
        "hablante.")


def split_summary(table: pd.DataFrame, splits: dict[str, np.ndarray], *,
                  group: str = "speaker") -> pd.DataFrame:
    """Clips and speakers per split and class, and the share of the positive class."""
    rows = []
    for name, idx in splits.items():
        part = table.iloc[idx]
        row = {"partición": name, "clips": len(part), "hablantes": part[group].nunique()}
        for k, cls in enumerate(LABELS):
            row[f"clips {cls}"] = int((part["label"] == k).sum())
            row[f"hablantes {cls}"] = part.loc[part["label"] == k, group].nunique()
        row[f"% {LABELS[1]}"] = round(100 * float((part["label"] == 1).mean()), 1) if len(part) else 0.0
        rows.append(row)
    return pd.DataFrame(rows).set_index("partición")


def balanced_class_weight(y: Sequence[int] | np.ndarray) -> dict[int, float]:
    """Weights n / (n_classes * count) per class, so each class weighs the same in the loss."""
    y = np.asarray(y).astype(int)
    classes, counts = np.unique(y, return_counts=True)
    if classes.size == 0:
        raise ValueError("No hay etiquetas para calcular los pesos.")
    return {int(c): float(len(y) / (len(classes) * n)) for c, n in zip(classes, counts)}


# ------------------------------------------------------------------------------- features
def gender_pipeline(*, n_mfcc: int = 40, max_frames: int = 300, sr: int = 16000,
                    top_db: float | None = 60.0) -> MFCCPipeline:
    """The lecture's pipeline: 40 MFCC x 300 frames (hop 512 at 16 kHz: 9.6 s), silence
    removed, scaled to [-1, 1], zeros at the end; output (n_mfcc, frames), no channel axis."""
    return MFCCPipeline(sr=sr, top_db=top_db, n_mfcc=n_mfcc, max_frames=max_frames,
                        time_major=False, channel=False)


def extract(table: pd.DataFrame, pipeline: MFCCPipeline, *, n_jobs: int = 1,
            cache: bool | str | os.PathLike = False, progress: bool = True) -> np.ndarray:
    """Features of every clip of ``table`` (in order): (n, n_mfcc, frames) float32."""
    return extract_features(table["path"], pipeline, n_jobs=n_jobs, cache=cache,
                            progress=progress, desc="MFCC de los clips")


def valid_frame_mask(x: np.ndarray) -> np.ndarray:
    """(n, n_mfcc, frames) -> (n, frames) booleans: True for real frames, False for padding.

    Padding frames are exactly zero in every coefficient; a real frame essentially never is.
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"Se esperaba (clips, n_mfcc, frames); la forma es {x.shape}.")
    return np.any(x != 0, axis=1)


def collapse_time(x: np.ndarray, *, include_padding: bool = False,
                  stats: Sequence[str] = ("mean", "std")) -> np.ndarray:
    """Per-coefficient statistics over time: (n, n_mfcc, frames) -> (n, n_mfcc * len(stats)).

    ``include_padding=True`` averages over all frames, padding zeros included (what you get by
    averaging the padded matrix); ``False`` uses only the real frames. ``stats`` from
    "mean", "std", "min", "max".
    """
    x = np.asarray(x, dtype=np.float64)
    mask = np.ones(x.shape[::2], dtype=bool) if include_padding else valid_frame_mask(x)
    mask = mask.copy()
    mask[~mask.any(axis=1), :] = True  # an all-silent clip: use every frame
    m = mask[:, None, :]
    count = m.sum(axis=2)
    mean = np.where(m, x, 0.0).sum(axis=2) / count
    out = []
    for stat in stats:
        if stat == "mean":
            out.append(mean)
        elif stat == "std":
            out.append(np.sqrt(np.where(m, (x - mean[..., None]) ** 2, 0.0).sum(axis=2) / count))
        elif stat == "min":
            out.append(np.where(m, x, np.inf).min(axis=2))
        elif stat == "max":
            out.append(np.where(m, x, -np.inf).max(axis=2))
        else:
            raise ValueError(f"Estadístico desconocido {stat!r}: usa mean, std, min o max.")
    return np.concatenate(out, axis=1).astype(np.float32)


def median_pitch(source: str | os.PathLike | np.ndarray, sr: int = 16000, *, fmin: float = 60.0,
                 fmax: float = 400.0, frame_length: int = 1024, energy_quantile: float = 0.5
                 ) -> float:
    """Median fundamental frequency (Hz) of a clip: YIN over the frames whose energy is above
    the ``energy_quantile`` of the clip (voiced speech is the loud part; silence and most
    consonants give meaningless pitch estimates). A path is read with :func:`course_utils.audio.load`
    (mono, resampled to ``sr``; a Spanish error for a broken file)."""
    import librosa

    y = np.asarray(source, dtype=np.float32) if isinstance(source, np.ndarray) else load(source, sr)
    if y.size < frame_length:
        raise ValueError(f"El clip es demasiado corto ({y.size} muestras) para estimar el tono.")
    hop = frame_length // 4
    f0 = librosa.yin(y, fmin=fmin, fmax=fmax, sr=sr, frame_length=frame_length, hop_length=hop)
    rms = librosa.feature.rms(y=y, frame_length=frame_length, hop_length=hop)[0]
    n = min(len(f0), len(rms))
    loud = rms[:n] >= np.quantile(rms[:n], energy_quantile)
    return float(np.median(f0[:n][loud]))


#: Pitch bands (Hz) for :func:`pitch_band`; adult speaking pitch is mostly 85-255 Hz.
PITCH_BANDS: tuple[tuple[str, float, float], ...] = (
    ("grave (< 145 Hz)", 0.0, 145.0),
    ("media (145-175 Hz)", 145.0, 175.0),
    ("aguda (> 175 Hz)", 175.0, np.inf),
)


def pitch_band(pitch_hz: Sequence[float] | np.ndarray) -> pd.Categorical:
    """Name of the :data:`PITCH_BANDS` band of every pitch (ordered categories)."""
    pitch = np.asarray(pitch_hz, dtype=float)
    names = [name for name, _, _ in PITCH_BANDS]
    edges = [PITCH_BANDS[0][1]] + [hi for _, _, hi in PITCH_BANDS]
    return pd.Categorical(pd.cut(pitch, bins=edges, labels=names, right=False), categories=names,
                          ordered=True)


# ------------------------------------------------------------------- Common Voice (Kaggle)
def kaggle_credentials_present() -> bool:
    """True when a Kaggle API token is configured (``~/.kaggle/kaggle.json``, or
    ``KAGGLE_USERNAME`` and ``KAGGLE_KEY`` in the environment)."""
    if os.environ.get("KAGGLE_USERNAME") and os.environ.get("KAGGLE_KEY"):
        return True
    config_dir = Path(os.environ.get("KAGGLE_CONFIG_DIR", Path.home() / ".kaggle"))
    return (config_dir / "kaggle.json").is_file()


def download_common_voice() -> Path:
    """Download Kaggle's ``mozillaorg/common-voice`` (about 13 GB) with ``kagglehub``; return
    the folder that holds ``cv-valid-dev.csv``."""
    if not kaggle_credentials_present():
        raise RuntimeError(
            "No encontré credenciales de Kaggle. Crea un token en kaggle.com → Settings → API, y "
            "guarda kaggle.json en ~/.kaggle/ o define KAGGLE_USERNAME y KAGGLE_KEY."
        )
    try:
        import kagglehub
    except ImportError as exc:
        raise RuntimeError("Falta el paquete kagglehub (Colab ya lo trae). Instálalo con "
                           "`pip install kagglehub` y vuelve a ejecutar la celda.") from exc
    folder = Path(kagglehub.dataset_download(KAGGLE_DATASET))
    found = sorted(folder.rglob("cv-valid-dev.csv"))
    if not found:
        raise FileNotFoundError(f"La descarga de Kaggle en {folder} no contiene cv-valid-dev.csv.")
    return found[0].parent


def write_labelled_subset(root: str | os.PathLike, dest: str | os.PathLike, *,
                          subset: str = "cv-valid-dev") -> pd.DataFrame:
    """Copy the clips of ``subset`` that have a gender (male/female) into ``dest`` with the same
    layout (the CSV, filtered, and the MP3s at the same relative paths). Returns the rows kept.

    ``dest`` is then ready for ``python -m course_utils pack dest --name
    common-voice-cv-valid-dev`` and for ``fetch("common_voice", path=dest)``.
    """
    from .. import datasets

    root, dest = Path(root), Path(dest)
    if dest.resolve().is_relative_to(root.resolve()):
        raise ValueError("La carpeta de destino no puede estar dentro del conjunto original.")
    raw = datasets.common_voice_table(root, subset=subset)
    keep = raw[_encode(raw["gender"]).notna()].copy()
    for path in keep["path"]:
        target = dest / Path(path).resolve().relative_to(root.resolve())
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    csv_rows = pd.read_csv(root / f"{subset}.csv", dtype=str, keep_default_na=False)
    kept_rows = csv_rows[_encode(csv_rows["gender"].replace("", pd.NA)).notna()]
    dest.mkdir(parents=True, exist_ok=True)
    kept_rows.to_csv(dest / f"{subset}.csv", index=False)
    return keep.reset_index(drop=True)


def common_voice_root(source: str | os.PathLike, data_dir: str | os.PathLike, *,
                      download: bool = False) -> Path | None:
    """Root of Common Voice for a lesson's ``COMMON_VOICE_SOURCE``, or None (after printing
    what to do) when ``"real"`` has no copy yet.

    ``"synthetic"`` or a folder go to :func:`course_utils.data.fetch`. ``"real"`` uses, in
    order: the labelled subset lesson 05 wrote to ``data_dir/common_voice_genero``, a classroom
    mirror (``COURSE_DATA_MIRROR``), and, with ``download=True`` and Kaggle credentials, the
    Kaggle download (about 13 GB) reduced to that subset.
    """
    from . import fetch
    from .errors import DataError

    if not (isinstance(source, str) and source == "real"):
        return fetch("common_voice", source=source)
    subset_dir = Path(data_dir) / "common_voice_genero"
    if (subset_dir / "cv-valid-dev.csv").is_file():
        return fetch("common_voice", path=subset_dir)
    try:
        return fetch("common_voice", source="real", quiet=False)
    except DataError:
        pass
    if download and kaggle_credentials_present():
        kept = write_labelled_subset(download_common_voice(), subset_dir)
        print(f"{len(kept)} clips con género copiados a {subset_dir}. Empaquétalos con: "
              f"python -m course_utils pack {subset_dir} --name common-voice-cv-valid-dev")
        return fetch("common_voice", path=subset_dir)
    print("Common Voice no está disponible: no hay credenciales de Kaggle (pasos 1 y 2 de la "
          "lección 05) ni una copia en el espejo del aula. Pon en COMMON_VOICE_SOURCE la carpeta "
          "donde ya tienes cv-valid-dev.csv, o \"synthetic\" para practicar con su gemelo.")
    return None

"""Tables and arrays of the course datasets, read from their real on-disk layout.

Each function takes the dataset ROOT returned by ``course_utils.data.fetch(name)`` (real or
synthetic: the twins have the same layout) and returns a pandas DataFrame with one row per
recording (``path`` is an absolute path as a string), or arrays for CIFAR-10 and text for Tiny
Shakespeare. A folder with the wrong layout raises :class:`DatasetLayoutError`, with a Spanish
message that names the missing path.
"""

from __future__ import annotations

import csv
import pickle
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .data.errors import LayoutError

__all__ = [
    "DatasetLayoutError", "common_voice_table", "fleurs_table", "fsdd_table", "librispeech_table",
    "load_cifar10", "load_tiny_shakespeare", "read_speakers_txt", "speech_commands_table",
]

FSDD_NAME = re.compile(r"^(\d)_([A-Za-z]+)_(\d+)\.wav$")
FLEURS_COLUMNS = ["id", "file_name", "raw_transcription", "transcription", "characters",
                  "num_samples", "gender"]
SPEECH_COMMANDS_WORDS = ("down", "go", "left", "no", "right", "stop", "up", "yes")


class DatasetLayoutError(LayoutError, FileNotFoundError):
    """A dataset folder lacks a file or folder of the expected layout."""


def _require(path: Path, dataset: str, expected: str, hint: str = "") -> Path:
    """``path`` if it exists, else a DatasetLayoutError naming it."""
    if not path.exists():
        raise DatasetLayoutError(
            f"No encuentro {path} ({dataset}). La carpeta raíz debe contener {expected}. "
            "Pasa la raíz que devuelve course_utils.data.fetch(...)"
            + (f"; {hint}" if hint else "") + "."
        )
    return path


def _none_found(folder: Path, pattern: str, dataset: str) -> DatasetLayoutError:
    return DatasetLayoutError(
        f"La carpeta {folder} ({dataset}) existe pero no tiene archivos {pattern}. "
        "¿Se interrumpió la descarga o la extracción? Vuelve a llamar a fetch(...)."
    )


# --- FSDD ----------------------------------------------------------------------------------------

def fsdd_table(root: str | Path) -> pd.DataFrame:
    """Recordings of the Free Spoken Digit Dataset.

    Columns: path, digit (int), speaker, index (int), split ("test" for index 0-4, the official
    split, else "train"). Sorted by speaker, digit and index.
    """
    recordings = _require(Path(root) / "recordings", "FSDD", "la carpeta recordings/",
                          "por ejemplo free-spoken-digit-dataset-1.0.10/")
    rows = []
    for path in recordings.glob("*.wav"):
        match = FSDD_NAME.match(path.name)
        if match:
            digit, speaker, index = match.groups()
            rows.append((str(path.resolve()), int(digit), speaker, int(index)))
    if not rows:
        raise _none_found(recordings, "{dígito}_{hablante}_{índice}.wav", "FSDD")
    table = pd.DataFrame(rows, columns=["path", "digit", "speaker", "index"])
    table["split"] = np.where(table["index"] <= 4, "test", "train")
    return table.sort_values(["speaker", "digit", "index"], ignore_index=True)


# --- Mini Speech Commands ------------------------------------------------------------------------

def speech_commands_table(root: str | Path) -> pd.DataFrame:
    """Recordings of (mini) Speech Commands: columns path, word, speaker.

    Every sub-folder not starting with ``_`` is a word (``_background_noise_`` is skipped); the
    speaker is the part of the file name before ``_nohash_``. Sorted by word and file name.
    """
    root = _require(Path(root), "Speech Commands", "una carpeta por palabra (down, go, left...)")
    words = sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith(("_", ".")))
    if not words:
        raise DatasetLayoutError(
            f"{root} no tiene carpetas de palabras (down, go, left, no, right, stop, up, yes). "
            "Pasa la raíz que devuelve course_utils.data.fetch('mini_speech_commands')."
        )
    rows = [(str(p.resolve()), d.name, p.name.split("_nohash_")[0])
            for d in words for p in sorted(d.glob("*.wav"))]
    if not rows:
        raise _none_found(root, "*.wav dentro de las carpetas de palabras", "Speech Commands")
    return pd.DataFrame(rows, columns=["path", "word", "speaker"])


# --- LibriSpeech ---------------------------------------------------------------------------------

def read_speakers_txt(path: str | Path) -> pd.DataFrame:
    """Parse LibriSpeech's SPEAKERS.TXT: columns speaker (int), sex, subset, minutes, name.

    Lines starting with ``;`` are comments; fields are separated by ``|`` with padding spaces.
    Only the first four ``|`` separate fields: a name may itself contain ``|``.
    """
    path = _require(Path(path), "LibriSpeech", "SPEAKERS.TXT")
    rows = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip() or line.lstrip().startswith(";"):
            continue
        parts = [p.strip() for p in line.split("|", 4)]
        if len(parts) < 4 or not parts[0].isdigit():
            continue
        minutes = pd.to_numeric(parts[3], errors="coerce")
        rows.append((int(parts[0]), parts[1].upper(), parts[2], minutes, parts[4] if len(parts) > 4 else ""))
    if not rows:
        raise DatasetLayoutError(f"{path} no tiene filas 'ID | SEX | SUBSET | MINUTES | NAME'.")
    return pd.DataFrame(rows, columns=["speaker", "sex", "subset", "minutes", "name"])


def librispeech_table(root: str | Path, subset: str = "dev-clean-2") -> pd.DataFrame:
    """Utterances of a LibriSpeech subset with the speaker's sex and the transcript.

    ``root`` is the ``LibriSpeech`` folder (it holds SPEAKERS.TXT and ``subset``). Columns: path,
    speaker (int), chapter (int), utterance (int), sex ("F"/"M"), transcript. Sorted by id.
    """
    root = Path(root)
    speakers = read_speakers_txt(_require(root / "SPEAKERS.TXT", "LibriSpeech",
                                          f"SPEAKERS.TXT y la carpeta {subset}/", "la carpeta LibriSpeech/"))
    folder = _require(root / subset, "LibriSpeech", f"SPEAKERS.TXT y la carpeta {subset}/")
    rows = []
    for trans in sorted(folder.glob("*/*/*.trans.txt")):
        for line in trans.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            utt_id, _, text = line.partition(" ")
            speaker, chapter, utterance = (int(x) for x in utt_id.split("-"))
            audio = trans.parent / f"{utt_id}.flac"
            rows.append((str(audio.resolve()), speaker, chapter, utterance, text.strip()))
    if not rows:
        raise _none_found(folder, "{hablante}/{capítulo}/*.trans.txt", "LibriSpeech")
    table = pd.DataFrame(rows, columns=["path", "speaker", "chapter", "utterance", "transcript"])
    sex = speakers.drop_duplicates("speaker").set_index("speaker")["sex"]
    table.insert(4, "sex", table["speaker"].map(sex))
    missing = table.loc[table["sex"].isna(), "speaker"].unique()
    if len(missing):
        raise DatasetLayoutError(f"SPEAKERS.TXT no tiene a los hablantes {sorted(missing)[:5]} de {subset}.")
    return table.sort_values(["speaker", "chapter", "utterance"], ignore_index=True)


# --- Common Voice --------------------------------------------------------------------------------

def _common_voice_audio_dir(root: Path, subset: str) -> Path:
    """Kaggle nests the clips (``cv-valid-dev/cv-valid-dev/``); other copies don't."""
    nested = root / subset / subset
    return nested if nested.is_dir() else _require(root / subset, "Common Voice", f"la carpeta {subset}/")


def common_voice_table(root: str | Path, subset: str = "cv-valid-dev") -> pd.DataFrame:
    """Clips of a Common Voice (Kaggle, release 1) subset: path plus the CSV's columns.

    Columns: path, filename, text, up_votes, down_votes, age, gender, accent, duration. Rows
    without a gender are kept with NaN (most volunteers didn't give one). The newer release
    values ``male_masculine`` and ``female_feminine`` are mapped to ``male`` and ``female``.
    """
    root = Path(root)
    csv_path = _require(root / f"{subset}.csv", "Common Voice", f"{subset}.csv y la carpeta {subset}/")
    table = pd.read_csv(csv_path, dtype={"text": str, "age": str, "gender": str, "accent": str})
    audio_dir = _common_voice_audio_dir(root, subset)
    table.insert(0, "path", [str((audio_dir / Path(f).name).resolve()) for f in table["filename"]])
    table["gender"] = table["gender"].replace({"male_masculine": "male", "female_feminine": "female"})
    return table


# --- FLEURS --------------------------------------------------------------------------------------

def _fleurs_tsv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", header=None, names=FLEURS_COLUMNS, quoting=csv.QUOTE_NONE,
                       dtype={"id": int, "file_name": str, "raw_transcription": str,
                              "transcription": str, "characters": str, "num_samples": int,
                              "gender": str}, keep_default_na=False)


def fleurs_table(root: str | Path, languages: Iterable[str] | None = None,
                 splits: Sequence[str] = ("dev", "test")) -> pd.DataFrame:
    """Recordings of FLEURS: columns path, language, split, id, transcription, num_samples, gender.

    ``languages=None`` takes every ``{lang}/`` folder of ``root`` that has a TSV of the splits.
    Several recordings share an ``id`` (the same sentence read by different people).
    """
    root = _require(Path(root), "FLEURS", "una carpeta por idioma")
    if languages is None:
        languages = sorted(d.name for d in root.iterdir()
                           if d.is_dir() and any((d / f"{s}.tsv").is_file() for s in splits))
        if not languages:
            raise DatasetLayoutError(
                f"{root} no tiene carpetas de idioma con {'/'.join(splits)}.tsv (por ejemplo "
                "es_419/dev.tsv). Pasa la raíz que devuelve course_utils.data.fetch('fleurs')."
            )
    frames = []
    for lang in languages:
        for split in splits:
            tsv = _require(root / lang / f"{split}.tsv", "FLEURS", f"{lang}/{split}.tsv y {lang}/audio/{split}/")
            audio_dir = _require(root / lang / "audio" / split, "FLEURS", f"{lang}/audio/{split}/")
            part = _fleurs_tsv(tsv)
            part.insert(0, "path", [str((audio_dir / f).resolve()) for f in part["file_name"]])
            part.insert(1, "language", lang)
            part.insert(2, "split", split)
            frames.append(part)
    table = pd.concat(frames, ignore_index=True)
    return table[["path", "language", "split", "id", "transcription", "num_samples", "gender"]]


# --- CIFAR-10 ------------------------------------------------------------------------------------

def _unpickle(path: Path) -> dict:
    with open(path, "rb") as f:
        data = pickle.load(f, encoding="bytes")
    return {(k.decode() if isinstance(k, bytes) else k): v for k, v in data.items()}


def _images(batch: dict) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(batch["data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(x), np.asarray(batch["labels"], dtype=np.int64)


def load_cifar10(root: str | Path):
    """CIFAR-10 (python version) from ``cifar-10-batches-py``.

    Returns ``((x_train, y_train), (x_test, y_test), label_names)``: x uint8 (N, 32, 32, 3),
    y int64 (N,), label_names a list of str.
    """
    root = Path(root)
    expected = "data_batch_1..5, test_batch y batches.meta"
    names = [f"data_batch_{k}" for k in range(1, 6)]
    train = [_images(_unpickle(_require(root / n, "CIFAR-10", expected, "la carpeta cifar-10-batches-py/")))
             for n in names]
    x_test, y_test = _images(_unpickle(_require(root / "test_batch", "CIFAR-10", expected)))
    meta = _unpickle(_require(root / "batches.meta", "CIFAR-10", expected))
    label_names = [n.decode() if isinstance(n, bytes) else str(n) for n in meta["label_names"]]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (x_train, y_train), (x_test, y_test), label_names


# --- Tiny Shakespeare ----------------------------------------------------------------------------

def load_tiny_shakespeare(root: str | Path) -> str:
    """The whole text of Tiny Shakespeare (``input.txt`` inside ``root``)."""
    path = _require(Path(root) / "input.txt", "Tiny Shakespeare", "input.txt")
    return path.read_text(encoding="utf-8")

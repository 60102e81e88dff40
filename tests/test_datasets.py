"""Loaders of course_utils.datasets: on twins, on hand-made folders in the real layout, on bad folders."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from course_utils import datasets as ds
from course_utils.data.errors import LayoutError
from course_utils.data.twins import GENERATORS

SMALL = {
    "fsdd": {"n_test": 1, "n_train": 2},
    "mini_speech_commands": {"per_word": 3, "n_speakers": 4},
    "tiny_shakespeare": {"n_bytes": 4000},
    "cifar10": {"per_batch": 20},
    "mini_librispeech": {"n_speakers": 4, "utterances_per_speaker": 3, "chapters_per_speaker": 2},
    "fleurs": {"sentences_per_split": 2, "readers_per_sentence": 2},
    "common_voice": {"n_clips": 12, "n_speakers": 10},
}


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """``small(name)``: dataset folder of a small twin, built once per module."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            folder = tmp_path_factory.mktemp(name)
            GENERATORS[name](folder, SMALL[name], 0)
            built[name] = folder
        return built[name]

    return get


# --- loaders on the twins ---------------------------------------------------------------------

def test_fsdd_table(small):
    table = ds.fsdd_table(small("fsdd") / "free-spoken-digit-dataset-1.0.10")
    assert list(table.columns) == ["path", "digit", "speaker", "index", "split"]
    assert len(table) == 6 * 10 * 3
    assert table["split"].value_counts().to_dict() == {"train": 120, "test": 60}
    assert set(table.loc[table["split"] == "test", "index"]) == {0}
    assert table["digit"].dtype.kind == "i" and sorted(table["digit"].unique()) == list(range(10))
    assert all(Path(p).is_file() for p in table["path"])


def test_speech_commands_table(small):
    table = ds.speech_commands_table(small("mini_speech_commands") / "mini_speech_commands")
    assert list(table.columns) == ["path", "word", "speaker"]
    assert table["word"].value_counts().to_dict() == {w: 3 for w in ds.SPEECH_COMMANDS_WORDS}
    assert table["speaker"].str.fullmatch(r"[0-9a-f]{8}").all()
    assert table["speaker"].nunique() <= 4


def test_librispeech_table(small):
    table = ds.librispeech_table(small("mini_librispeech") / "LibriSpeech")
    assert list(table.columns) == ["path", "speaker", "chapter", "utterance", "sex", "transcript"]
    assert len(table) == 4 * 3
    assert table.groupby("sex")["speaker"].nunique().to_dict() == {"F": 2, "M": 2}
    assert table.groupby("speaker")["chapter"].nunique().eq(2).all()
    assert table["transcript"].str.fullmatch(r"[A-Z' ]+").all()
    assert all(Path(p).is_file() for p in table["path"])


def test_common_voice_table(small):
    table = ds.common_voice_table(small("common_voice"))
    assert list(table.columns) == ["path", "filename", "text", "up_votes", "down_votes", "age",
                                   "gender", "accent", "duration"]
    assert len(table) == 12
    assert table["gender"].isna().any() and table["gender"].dropna().isin(["male", "female", "other"]).all()
    assert table["duration"].isna().all()
    assert all(Path(p).is_file() and "cv-valid-dev/cv-valid-dev/" in p for p in table["path"])


def test_fleurs_table(small):
    root = small("fleurs")
    table = ds.fleurs_table(root)
    assert list(table.columns) == ["path", "language", "split", "id", "transcription", "num_samples", "gender"]
    assert table.groupby(["language", "split"]).size().eq(4).all()
    assert sorted(table["language"].unique()) == ["en_us", "es_419", "fr_fr", "ja_jp"]
    assert table["id"].dtype.kind == "i" and table["num_samples"].dtype.kind == "i"
    assert all(Path(p).is_file() for p in table["path"])
    only = ds.fleurs_table(root, languages=["ja_jp"], splits=("test",))
    assert set(only["language"]) == {"ja_jp"} and set(only["split"]) == {"test"} and len(only) == 4


def test_load_cifar10(small):
    (x_train, y_train), (x_test, y_test), names = ds.load_cifar10(small("cifar10") / "cifar-10-batches-py")
    assert x_train.shape == (100, 32, 32, 3) and x_train.dtype == np.uint8
    assert x_test.shape == (20, 32, 32, 3) and y_test.shape == (20,)
    assert y_train.min() == 0 and y_train.max() == 9
    assert names[:2] == ["airplane", "automobile"] and len(names) == 10


def test_cifar10_channel_order(tmp_path):
    """Row-major R, G, B planes become (32, 32, 3) images with the right colour per pixel."""
    image = np.zeros((32, 32, 3), dtype=np.uint8)
    image[0, 1] = (255, 10, 20)
    row = image.transpose(2, 0, 1).reshape(1, -1)
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(tmp_path / name, "wb") as f:  # str keys: a re-pickled copy must load too
            pickle.dump({"data": row, "labels": [3], "filenames": ["x.png"], "batch_label": "b"}, f)
    with open(tmp_path / "batches.meta", "wb") as f:
        pickle.dump({b"label_names": [b"a", b"b", b"c", b"cat"]}, f, protocol=2)
    (x_train, y_train), _, names = ds.load_cifar10(tmp_path)
    assert tuple(x_train[0, 0, 1]) == (255, 10, 20) and x_train[0].sum() == 285
    assert y_train.tolist() == [3] * 5 and names[3] == "cat"


def test_load_tiny_shakespeare(small):
    text = ds.load_tiny_shakespeare(small("tiny_shakespeare"))
    assert isinstance(text, str) and len(text) >= 4000 and ":\n" in text


# --- hand-made folders in the real layout -----------------------------------------------------

SPEAKERS_TXT = """; Some pipe(|) separated metadata about all LibriVox readers, whose work was used
; in the corpus.
;
;ID  |SEX| SUBSET           |MINUTES| NAME
14   | F | train-clean-360  | 25.03 | Kristin LeMoine
60   | M | train-clean-100  | 20.18 | |CBW|Simon
1272 | M | dev-clean        |  8.01 | John Rose
1462 | F | dev-clean        |  8.03 | E. Tavano
"""


def test_read_speakers_txt_real_lines(tmp_path):
    path = tmp_path / "SPEAKERS.TXT"
    path.write_text(SPEAKERS_TXT)
    table = ds.read_speakers_txt(path)
    assert table["speaker"].tolist() == [14, 60, 1272, 1462]
    assert table["sex"].tolist() == ["F", "M", "M", "F"]
    assert table.loc[1, "name"] == "|CBW|Simon" and table.loc[1, "subset"] == "train-clean-100"
    assert table["minutes"].tolist() == pytest.approx([25.03, 20.18, 8.01, 8.03])


def test_librispeech_table_hand_made(tmp_path):
    (tmp_path / "SPEAKERS.TXT").write_text(SPEAKERS_TXT)
    chapter = tmp_path / "dev-clean-2" / "1462" / "170138"
    chapter.mkdir(parents=True)
    (chapter / "1462-170138-0000.flac").write_bytes(b"")
    (chapter / "1462-170138-0001.flac").write_bytes(b"")
    (chapter / "1462-170138.trans.txt").write_text(
        "1462-170138-0000 HE HAD WRITTEN A NUMBER OF BOOKS\n1462-170138-0001 IT WAS NOT EASY\n")
    table = ds.librispeech_table(tmp_path)
    assert table["utterance"].tolist() == [0, 1] and set(table["sex"]) == {"F"}
    assert table.loc[1, "transcript"] == "IT WAS NOT EASY"
    (tmp_path / "SPEAKERS.TXT").write_text(SPEAKERS_TXT.replace("1462 | F", "1463 | F"))
    with pytest.raises(ds.DatasetLayoutError, match="1462"):
        ds.librispeech_table(tmp_path)


def test_fsdd_split_and_foreign_files(tmp_path):
    rec = tmp_path / "recordings"
    rec.mkdir()
    for name in ("0_theo_4.wav", "0_theo_5.wav", "9_lucas_49.wav", "notes.txt", "bad_name.wav"):
        (rec / name).write_bytes(b"")
    table = ds.fsdd_table(tmp_path)
    assert table[["digit", "speaker", "index", "split"]].values.tolist() == [
        [9, "lucas", 49, "train"], [0, "theo", 4, "test"], [0, "theo", 5, "train"]]


def test_speech_commands_skips_background_noise(tmp_path):
    for folder, name in (("yes", "0a1b2c3d_nohash_0.wav"), ("yes", "0a1b2c3d_nohash_1.wav"),
                         ("_background_noise_", "white_noise.wav")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / name).write_bytes(b"")
    table = ds.speech_commands_table(tmp_path)
    assert table["word"].tolist() == ["yes", "yes"] and set(table["speaker"]) == {"0a1b2c3d"}


def test_fleurs_tsv_keeps_quotes_and_text(tmp_path):
    (tmp_path / "fr_fr" / "audio" / "dev").mkdir(parents=True)
    (tmp_path / "fr_fr" / "dev.tsv").write_text(
        '7\t123.wav\t"Oui", dit-il.\t"oui" dit-il\t" o u i " | d i t |\t48000\tMALE\n'
        "8\t124.wav\tNull.\tnull\tn u l l |\t32000\tFEMALE\n")
    table = ds.fleurs_table(tmp_path, splits=("dev",))
    assert table["transcription"].tolist() == ['"oui" dit-il', "null"]
    assert table["id"].tolist() == [7, 8] and table["num_samples"].tolist() == [48000, 32000]
    assert table["path"].iloc[0].endswith("fr_fr/audio/dev/123.wav")


def test_common_voice_flat_folder_and_new_gender_values(tmp_path):
    (tmp_path / "cv-valid-dev").mkdir()
    (tmp_path / "cv-valid-dev.csv").write_text(
        "filename,text,up_votes,down_votes,age,gender,accent,duration\n"
        "cv-valid-dev/sample-000000.mp3,hello there,1,0,,,,\n"
        "cv-valid-dev/sample-000001.mp3,good morning,2,0,twenties,male_masculine,us,\n")
    table = ds.common_voice_table(tmp_path)
    assert pd.isna(table.loc[0, "gender"]) and table.loc[1, "gender"] == "male"
    assert table.loc[0, "path"].endswith("cv-valid-dev/sample-000000.mp3")


# --- wrong folders ----------------------------------------------------------------------------

@pytest.mark.parametrize("loader, missing", [
    (ds.fsdd_table, "recordings"),
    (ds.librispeech_table, "SPEAKERS.TXT"),
    (ds.common_voice_table, "cv-valid-dev.csv"),
    (ds.load_cifar10, "data_batch_1"),
    (ds.load_tiny_shakespeare, "input.txt"),
])
def test_wrong_folder_names_the_missing_path(tmp_path, loader, missing):
    with pytest.raises(ds.DatasetLayoutError) as info:
        loader(tmp_path)
    message = str(info.value)
    assert str(tmp_path / missing) in message and "No encuentro" in message and "fetch" in message
    assert isinstance(info.value, LayoutError) and isinstance(info.value, FileNotFoundError)


def test_empty_folders_are_explained(tmp_path):
    (tmp_path / "recordings").mkdir()
    with pytest.raises(ds.DatasetLayoutError, match="no tiene archivos"):
        ds.fsdd_table(tmp_path)
    with pytest.raises(ds.DatasetLayoutError, match="palabras"):
        ds.speech_commands_table(tmp_path / "recordings")
    with pytest.raises(ds.DatasetLayoutError, match="es_419/dev.tsv"):
        ds.fleurs_table(tmp_path)
    with pytest.raises(ds.DatasetLayoutError, match="xx_yy/dev.tsv"):
        ds.fleurs_table(tmp_path, languages=["xx_yy"])


def test_librispeech_root_one_level_too_deep(small):
    with pytest.raises(ds.DatasetLayoutError, match="SPEAKERS.TXT"):
        ds.librispeech_table(small("mini_librispeech") / "LibriSpeech" / "dev-clean-2")

"""Synthetic twins: registry, determinism, real layouts and formats, learnable classes."""

from __future__ import annotations

import csv
import hashlib
import pickle
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from course_utils.data import list_datasets, load_manifest
from course_utils.data.twins import GENERATORS
from course_utils.data.twins.voice import Segment, random_voice, render

# Small parameters for the determinism checks (each build well under a second).
TINY = {
    "fsdd": {"n_test": 1, "n_train": 1},
    "mini_speech_commands": {"per_word": 2, "n_speakers": 3},
    "tiny_shakespeare": {"n_bytes": 3000},
    "cifar10": {"per_batch": 10},
    "mini_librispeech": {"n_speakers": 2, "utterances_per_speaker": 2, "chapters_per_speaker": 1},
    "fleurs": {"sentences_per_split": 1, "readers_per_sentence": 1},
    "common_voice": {"n_clips": 3, "n_speakers": 3},
}


def digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def twin(tmp_path_factory):
    """``twin(name)`` builds the default twin once (manifest params and seed), returns its root."""
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            manifest = load_manifest(name)
            folder = tmp_path_factory.mktemp(name)
            GENERATORS[manifest.synthetic_generator](folder, manifest.synthetic_params, manifest.synthetic_seed)
            built[name] = folder / manifest.root
        return built[name]

    return get


def test_every_manifest_has_a_generator_with_default_params():
    names = list_datasets()
    assert sorted(names) == sorted(TINY)
    for name in names:
        manifest = load_manifest(name)
        assert manifest.synthetic_generator in GENERATORS
        assert manifest.synthetic_params, f"{name}: synthetic.params is empty"


@pytest.mark.parametrize("name", sorted(TINY))
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, name):
    build = GENERATORS[name]
    build(tmp_path / "a", TINY[name], 0)
    build(tmp_path / "b", TINY[name], 0)
    build(tmp_path / "c", TINY[name], 1)
    a, b = digests(tmp_path / "a"), digests(tmp_path / "b")
    assert a and a == b
    c = digests(tmp_path / "c")
    changed = [k for k in a if not k.endswith((".md", ".py", ".html")) and a[k] != c.get(k)]
    assert changed, "a different seed must change the data"


def test_more_files_keep_the_existing_ones_identical(tmp_path):
    GENERATORS["fsdd"](tmp_path / "small", {"n_test": 1, "n_train": 1}, 0)
    GENERATORS["fsdd"](tmp_path / "big", {"n_test": 2, "n_train": 2}, 0)
    small, big = digests(tmp_path / "small"), digests(tmp_path / "big")
    assert len(big) > len(small)
    assert all(big[k] == v for k, v in small.items())


def test_unknown_parameter_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="per_clas"):
        GENERATORS["mini_speech_commands"](tmp_path, {"per_clas": 3}, 0)


def test_voice_pitch_follows_f0():
    import librosa

    rng = np.random.default_rng(0)
    segs = [Segment("a", 0.6, 0.0)]
    for sex, lo, hi in (("M", 70, 170), ("F", 150, 280)):
        voice = random_voice(np.random.default_rng(1), sex)
        audio = render(segs, voice, 16000, rng)
        f0 = librosa.yin(audio[2000:-2000], fmin=60, fmax=400, sr=16000, frame_length=1024)
        median = np.median(f0)
        assert lo < median < hi
        assert abs(median - voice.f0) < 0.2 * voice.f0


# --- layouts and formats of the default twins ------------------------------------------------------

def test_fsdd_layout(twin):
    root = twin("fsdd")
    assert root.name == "free-spoken-digit-dataset-1.0.10"
    for extra in ("README.md", "metadata.py", "acquire_data", "utils"):
        assert (root / extra).exists()
    files = sorted((root / "recordings").glob("*.wav"))
    assert len(files) == 6 * 10 * 6
    names = [re.fullmatch(r"(\d)_([a-z]+)_(\d+)\.wav", f.name) for f in files]
    assert all(names)
    assert {m.group(2) for m in names} == {"george", "jackson", "lucas", "nicolas", "theo", "yweweler"}
    indices = {int(m.group(3)) for m in names}
    assert indices == {0, 1, 5, 6, 7, 8}
    durations = []
    for f in files[::7]:
        info = sf.info(f)
        assert (info.samplerate, info.channels, info.subtype) == (8000, 1, "PCM_16")
        durations.append(info.duration)
    assert 0.2 <= min(durations) and max(durations) <= 1.1


def test_speech_commands_layout(twin):
    root = twin("mini_speech_commands")
    assert (root / "README.md").is_file()
    words = sorted(d.name for d in root.iterdir() if d.is_dir())
    assert words == ["down", "go", "left", "no", "right", "stop", "up", "yes"]
    lengths = []
    for word in words:
        files = sorted((root / word).glob("*.wav"))
        assert len(files) == 40
        assert all(re.fullmatch(r"[0-9a-f]{8}_nohash_\d+\.wav", f.name) for f in files)
        assert len({f.name.split("_nohash_")[0] for f in files}) >= 5
        for f in files[::5]:
            info = sf.info(f)
            assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
            lengths.append(info.frames)
    assert max(lengths) == 16000 and min(lengths) < 16000


def test_tiny_shakespeare_layout(twin):
    text = (twin("tiny_shakespeare") / "input.txt").read_text(encoding="utf-8")
    assert 50_000 <= len(text.encode()) <= 100_000
    speeches = text.strip("\n").split("\n\n")
    assert len(speeches) > 300
    for speech in speeches[:50]:
        lines = speech.split("\n")
        assert re.fullmatch(r"[A-Za-z][A-Za-z ]*[A-Za-z0-9]:", lines[0]) and len(lines) >= 2
    assert len(set(text)) < 70


def test_cifar10_pickles_like_the_real_ones(twin):
    root = twin("cifar10")
    for name in [f"data_batch_{k}" for k in range(1, 6)] + ["test_batch"]:
        with open(root / name, "rb") as f:
            batch = pickle.load(f, encoding="bytes")
        assert set(batch) == {b"batch_label", b"labels", b"data", b"filenames"}
        assert batch[b"data"].dtype == np.uint8 and batch[b"data"].shape == (100, 3072)
        assert sorted(set(batch[b"labels"])) == list(range(10))
        assert all(isinstance(x, bytes) for x in batch[b"filenames"])
    with open(root / "batches.meta", "rb") as f:
        meta = pickle.load(f, encoding="bytes")
    assert meta[b"label_names"][0] == b"airplane" and len(meta[b"label_names"]) == 10


def test_librispeech_layout(twin):
    root = twin("mini_librispeech")
    speakers_txt = (root / "SPEAKERS.TXT").read_text()
    assert speakers_txt.startswith("; ")
    assert ";ID  |SEX| SUBSET           |MINUTES| NAME\n" in speakers_txt
    assert "| train-clean-100  |" in speakers_txt and "|CBW|Simon" in speakers_txt
    flacs = sorted((root / "dev-clean-2").glob("*/*/*.flac"))
    assert len(flacs) == 80
    for f in flacs:
        spk, chapter, utt = f.stem.split("-")
        assert f.parent.name == chapter and f.parent.parent.name == spk and len(utt) == 4
    durations = []
    for f in flacs[::4]:
        info = sf.info(f)
        assert (info.samplerate, info.channels, info.format) == (16000, 1, "FLAC")
        durations.append(info.duration)
    assert 1.8 <= min(durations) and max(durations) <= 6.8
    trans = sorted((root / "dev-clean-2").glob("*/*/*.trans.txt"))
    line = trans[0].read_text().splitlines()[0]
    assert re.fullmatch(r"\d+-\d+-\d{4} [A-Z' ]+", line)


def test_common_voice_layout(twin):
    root = twin("common_voice")
    with open(root / "cv-valid-dev.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["filename", "text", "up_votes", "down_votes", "age", "gender", "accent", "duration"]
    assert len(rows) == 61
    assert rows[1][0] == "cv-valid-dev/sample-000000.mp3"
    genders = {r[5] for r in rows[1:]}
    assert {"male", "female", ""} <= genders <= {"male", "female", "other", ""}
    assert all(r[1] == r[1].lower() for r in rows[1:])
    info = sf.info(root / "cv-valid-dev" / "cv-valid-dev" / "sample-000000.mp3")
    assert info.format == "MP3" and info.samplerate == 48000 and info.channels == 1


def test_fleurs_layout(twin):
    root = twin("fleurs")
    ids: dict[str, set] = {}
    durations = []
    for lang in ("es_419", "fr_fr", "en_us", "ja_jp"):
        for split in ("dev", "test"):
            lines = (root / lang / f"{split}.tsv").read_text(encoding="utf-8").splitlines()
            assert len(lines) == 6
            rows = [line.split("\t") for line in lines]
            assert all(len(r) == 7 for r in rows)
            assert not rows[0][0].isalpha()  # no header
            ids[f"{lang}/{split}"] = {r[0] for r in rows}
            assert len(ids[f"{lang}/{split}"]) < len(rows)  # sentences read by several people
            for r in rows:
                info = sf.info(root / lang / "audio" / split / r[1])
                assert info.samplerate == 16000 and info.frames == int(r[5])
                assert r[6] in ("MALE", "FEMALE", "OTHER") and re.fullmatch(r"\d+\.wav", r[1])
                durations.append(info.duration)
        assert not ids[f"{lang}/dev"] & ids[f"{lang}/test"]
    assert min(durations) < 6 and max(durations) > 12


# --- learnability: a simple model beats chance clearly --------------------------------------------

def _mfcc_stats(paths, sr: int) -> np.ndarray:
    import librosa

    feats = []
    for path in paths:
        y, _ = librosa.load(path, sr=sr)
        m = librosa.feature.mfcc(y=y, sr=sr, n_mfcc=20)
        feats.append(np.concatenate([m.mean(axis=1), m.std(axis=1)]))
    return np.array(feats)


def _model():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """BLAS threads fight over 2 shared cores: one thread is ~100x faster for these tiny fits."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        yield


def test_fsdd_digits_are_learnable(twin):
    from course_utils.datasets import fsdd_table

    table = fsdd_table(twin("fsdd"))
    x = _mfcc_stats(table["path"], 8000)
    train = (table["split"] == "train").to_numpy()
    acc = _model().fit(x[train], table["digit"][train]).score(x[~train], table["digit"][~train])
    assert acc > 0.6  # chance: 0.1


def test_speech_command_words_are_learnable_across_speakers(twin):
    from sklearn.model_selection import GroupKFold, cross_val_score

    from course_utils.datasets import speech_commands_table

    table = speech_commands_table(twin("mini_speech_commands"))
    x = _mfcc_stats(table["path"], 16000)
    acc = cross_val_score(_model(), x, table["word"], groups=table["speaker"], cv=GroupKFold(3)).mean()
    assert acc > 0.5  # chance: 0.125


def test_librispeech_sex_is_learnable_across_speakers(twin):
    from sklearn.model_selection import GroupKFold, cross_val_score

    from course_utils.datasets import librispeech_table

    table = librispeech_table(twin("mini_librispeech"))
    x = _mfcc_stats(table["path"], 16000)
    acc = cross_val_score(_model(), x, table["sex"], groups=table["speaker"], cv=GroupKFold(5)).mean()
    assert acc > 0.8  # chance: 0.5, speakers never shared by train and test


def test_common_voice_gender_is_learnable(twin):
    from sklearn.model_selection import cross_val_score

    from course_utils.datasets import common_voice_table

    table = common_voice_table(twin("common_voice"))
    table = table[table["gender"].isin(["male", "female"])]
    x = _mfcc_stats(table["path"], 16000)
    assert cross_val_score(_model(), x, table["gender"], cv=4).mean() > 0.75


def test_fleurs_language_is_learnable(twin):
    from course_utils.datasets import fleurs_table

    table = fleurs_table(twin("fleurs"))
    x = _mfcc_stats(table["path"], 16000)
    dev = (table["split"] == "dev").to_numpy()
    acc = _model().fit(x[dev], table["language"][dev]).score(x[~dev], table["language"][~dev])
    assert acc > 0.5  # chance: 0.25; test sentences and readers are unseen


def test_cifar10_classes_are_learnable(twin):
    from course_utils.datasets import load_cifar10

    (x_train, y_train), (x_test, y_test), _ = load_cifar10(twin("cifar10"))

    def colour_grid(x):  # mean colour of each 4x4 cell: shape and colour, no learning of filters
        return x.reshape(len(x), 8, 4, 8, 4, 3).mean(axis=(2, 4)).reshape(len(x), -1)

    acc = _model().fit(colour_grid(x_train), y_train).score(colour_grid(x_test), y_test)
    assert acc > 0.4  # chance: 0.1

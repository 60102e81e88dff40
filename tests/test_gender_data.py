"""course_utils.data.gender: speaker-disjoint stratified splits, padding-aware time statistics,
the lecture's feature shape, and the tables of both datasets through their synthetic twins."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from course_utils.data import gender as gd


def _table(n_f=5, n_m=7, clips=4):
    rows = []
    for sex, n in (("F", n_f), ("M", n_m)):
        for s in range(n):
            rows += [{"path": f"{sex}{s}_{c}.flac", "speaker": f"{sex}{s}", "label": int(sex == "F")}
                     for c in range(clips)]
    return pd.DataFrame(rows)


def test_speaker_split_is_disjoint_stratified_and_complete():
    table = _table()
    splits = gd.speaker_split(table, val_size=0.2, test_size=0.2, seed=3)
    speakers = {k: set(table.loc[v, "speaker"]) for k, v in splits.items()}
    assert not (speakers["train"] & speakers["val"] or speakers["train"] & speakers["test"]
                or speakers["val"] & speakers["test"])
    assert sorted(np.concatenate(list(splits.values()))) == list(range(len(table)))
    for idx in splits.values():
        assert set(table.loc[idx, "label"]) == {0, 1}  # both classes everywhere
    # 5 F speakers: 1 test, 1 val, 3 train; 7 M speakers: 1 test, 1 val, 5 train
    assert len(speakers["test"]) == 2 and len(speakers["train"]) == 8
    again = gd.speaker_split(table, val_size=0.2, test_size=0.2, seed=3)
    assert all(np.array_equal(splits[k], again[k]) for k in splits)
    other = gd.speaker_split(table, val_size=0.2, test_size=0.2, seed=4)
    assert any(not np.array_equal(splits[k], other[k]) for k in splits)


def test_speaker_split_rejects_too_few_speakers_and_bad_sizes():
    with pytest.raises(ValueError, match="al menos 3"):
        gd.speaker_split(_table(n_f=2))
    with pytest.raises(ValueError, match="fracciones"):
        gd.speaker_split(_table(), val_size=0.5, test_size=0.5)
    with pytest.raises(KeyError, match="speaker"):
        gd.speaker_split(_table().drop(columns="speaker"))


def test_split_summary_counts():
    table = _table(n_f=5, n_m=5, clips=2)
    summary = gd.split_summary(table, {"a": np.arange(4), "b": np.arange(10, 20)})
    assert summary.loc["a", "clips"] == 4 and summary.loc["a", "hablantes"] == 2
    assert summary.loc["a", "clips mujer"] == 4 and summary.loc["a", "% mujer"] == 100.0
    assert summary.loc["b", "clips hombre"] == 10 and summary.loc["b", "hablantes hombre"] == 5


def test_balanced_class_weight():
    weights = gd.balanced_class_weight([0, 0, 0, 1])
    assert weights == {0: pytest.approx(4 / 6), 1: pytest.approx(2.0)}
    assert weights[0] * 3 == pytest.approx(weights[1] * 1)  # each class weighs the same
    with pytest.raises(ValueError):
        gd.balanced_class_weight([])


def test_collapse_time_with_and_without_padding():
    x = np.zeros((2, 2, 10), dtype=np.float32)
    x[0, 0, :3] = [1, 2, 3]     # 3 real frames, 7 padding frames
    x[0, 1, :3] = [-1, -1, -1]
    x[1] = 0.5                  # no padding at all
    mask = gd.valid_frame_mask(x)
    assert mask[0].tolist() == [True] * 3 + [False] * 7 and mask[1].all()
    real = gd.collapse_time(x)
    padded = gd.collapse_time(x, include_padding=True)
    assert real.shape == (2, 4)  # mean and std of 2 coefficients
    np.testing.assert_allclose(real[0], [2.0, -1.0, np.std([1, 2, 3]), 0.0], rtol=1e-6)
    np.testing.assert_allclose(padded[0, :2], [0.6, -0.3], rtol=1e-6)  # pulled towards 0
    np.testing.assert_allclose(real[1], padded[1])  # identical when nothing is padded
    mm = gd.collapse_time(x, stats=("min", "max"))
    np.testing.assert_allclose(mm[0], [1, -1, 3, -1])
    with pytest.raises(ValueError, match="Estadístico"):
        gd.collapse_time(x, stats=("median",))
    with pytest.raises(ValueError, match="clips, n_mfcc, frames"):
        gd.valid_frame_mask(x[0])


def test_gender_pipeline_gives_the_lecture_shape():
    pipe = gd.gender_pipeline()
    assert pipe.output_shape == (40, 300)
    sr = 16000
    t = np.arange(int(1.5 * sr)) / sr
    y = (0.3 * np.sin(2 * np.pi * 180 * t)).astype(np.float32)
    features = pipe(y)
    assert features.shape == (40, 300)
    n_real = int(gd.valid_frame_mask(features[None])[0].sum())
    assert 40 <= n_real <= 50  # 1.5 s at hop 512: about 47 frames, the rest is padding


def test_median_pitch_and_bands():
    sr = 16000
    t = np.arange(sr) / sr
    rng = np.random.default_rng(0)
    # a 130 Hz "voice" with harmonics for 0.6 s, then quiet noise: the noise must not count
    voice = sum(np.sin(2 * np.pi * 130 * k * t) / k for k in range(1, 6)) * (t < 0.6)
    clip = (0.3 * voice + 0.001 * rng.normal(size=sr)).astype(np.float32)
    assert gd.median_pitch(clip, sr) == pytest.approx(130, rel=0.03)
    high = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)
    assert gd.median_pitch(high, sr) == pytest.approx(220, rel=0.03)
    bands = gd.pitch_band([100, 145, 160, 174.9, 175, 300])
    assert list(bands.codes) == [0, 1, 1, 1, 2, 2]
    assert list(bands.categories)[0].startswith("grave")
    with pytest.raises(ValueError, match="corto"):
        gd.median_pitch(np.zeros(100, dtype=np.float32), sr)


def test_median_pitch_reads_a_path_with_the_course_loader(tmp_path):
    import soundfile as sf

    from course_utils.audio import AudioFileError

    sr = 16000
    t = np.arange(sr) / sr
    path = tmp_path / "tono.wav"
    sf.write(path, (0.3 * np.sin(2 * np.pi * 200 * t)).astype(np.float32), sr)
    assert gd.median_pitch(path, sr) == pytest.approx(200, rel=0.03)
    broken = tmp_path / "roto.wav"
    broken.write_bytes(b"RIFF")
    with pytest.raises(AudioFileError):
        gd.median_pitch(broken, sr)


def test_kaggle_credentials(monkeypatch, tmp_path):
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.delenv("KAGGLE_KEY", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path))
    assert not gd.kaggle_credentials_present()
    with pytest.raises(RuntimeError, match="credenciales"):
        gd.download_common_voice()
    (tmp_path / "kaggle.json").write_text("{}")
    assert gd.kaggle_credentials_present()
    (tmp_path / "kaggle.json").unlink()
    monkeypatch.setenv("KAGGLE_USERNAME", "ana")
    monkeypatch.setenv("KAGGLE_KEY", "x")
    assert gd.kaggle_credentials_present()


def test_gender_table_rejects_unknown_dataset(tmp_path):
    with pytest.raises(ValueError, match="Conjunto desconocido"):
        gd.gender_table("fsdd", tmp_path)


# ----------------------------------------------------------------- through the twins
def _twin(name):
    pytest.importorskip("course_utils.datasets")
    from course_utils import data

    return data.fetch(name, source="synthetic", quiet=True)


@pytest.fixture(scope="module")
def twin_env(tmp_path_factory):
    import os

    old = os.environ.get("COURSE_DATA_DIR")
    os.environ["COURSE_DATA_DIR"] = str(tmp_path_factory.mktemp("course_data"))
    yield
    if old is None:
        os.environ.pop("COURSE_DATA_DIR", None)
    else:
        os.environ["COURSE_DATA_DIR"] = old


def test_librispeech_twin_table(twin_env):
    root = _twin("mini_librispeech")
    table = gd.gender_table("mini_librispeech", root)
    assert list(table.columns) == ["path", "speaker", "label", "clase"]
    assert set(table["label"]) == {0, 1} and table.attrs["speaker_ids"]
    assert all(table.groupby("speaker")["label"].nunique() == 1)  # sex is per speaker
    assert all(p.endswith(".flac") for p in table["path"])
    splits = gd.speaker_split(table)
    assert all(len(v) for v in splits.values())


def test_common_voice_twin_table_and_labelled_subset(twin_env, tmp_path):
    root = _twin("common_voice")
    from course_utils import datasets

    raw = datasets.common_voice_table(root)
    table = gd.gender_table("common_voice", root)
    labelled = raw["gender"].isin(["male", "female"]).sum()
    assert len(table) == labelled < len(raw)  # unlabelled and "other" rows dropped
    assert {"age", "accent"} <= set(table.columns)
    assert not table[["age", "accent"]].isna().any().any()
    if not table.attrs["speaker_ids"]:
        assert table["speaker"].is_unique  # each clip is its own group
    kept = gd.write_labelled_subset(root, tmp_path / "subset")
    assert len(kept) == labelled
    again = gd.gender_table("common_voice", tmp_path / "subset")
    assert len(again) == labelled
    assert sorted(p.split("/")[-1] for p in again["path"]) == sorted(
        p.split("/")[-1] for p in table["path"])


def test_split_group_falls_back_to_clips_when_a_class_has_few_speakers():
    enough = _table(n_f=3, n_m=4)
    assert gd.split_group(enough) == ("speaker", None)
    assert "clip" not in enough.columns
    few = _table(n_f=2, n_m=4, clips=5)
    column, warning = gd.split_group(few)
    assert column == "clip" and "mujer: 2" in warning and "inflada" in warning
    assert few["clip"].is_unique
    splits = gd.speaker_split(few, group="clip")
    assert sorted(np.concatenate(list(splits.values())).tolist()) == list(range(len(few)))
    for part in splits.values():
        assert set(few["label"].iloc[part]) == {0, 1}  # both classes in every split


def test_common_voice_root_resolves_the_three_kinds_of_source(twin_env, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("KAGGLE_USERNAME", raising=False)
    monkeypatch.setenv("KAGGLE_CONFIG_DIR", str(tmp_path / "no-kaggle"))
    monkeypatch.delenv("COURSE_DATA_MIRROR", raising=False)
    twin = gd.common_voice_root("synthetic", tmp_path)
    assert (twin / "cv-valid-dev.csv").is_file()
    assert gd.common_voice_root(str(twin), tmp_path) == twin.resolve()
    assert gd.common_voice_root("real", tmp_path / "empty", download=True) is None
    assert "COMMON_VOICE_SOURCE" in capsys.readouterr().out
    gd.write_labelled_subset(twin, tmp_path / "data" / "common_voice_genero")
    found = gd.common_voice_root("real", tmp_path / "data")
    assert found == (tmp_path / "data" / "common_voice_genero").resolve()

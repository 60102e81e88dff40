"""Tests of lesson 07's code: course_utils.data.language and the models the lesson exports
(course_utils.models.language, written in notebooks/07_identificacion_de_idioma.ipynb)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from course_utils.data import language as ld
from course_utils.models import language as lm

SR = ld.SAMPLE_RATE


def _tone(seconds: float, f0: float = 220.0, seed: int = 0) -> np.ndarray:
    t = np.arange(round(seconds * SR)) / SR
    rng = np.random.default_rng(seed)
    y = sum(np.sin(2 * np.pi * f0 * h * t) / h for h in range(1, 8))
    return (0.3 * y / np.abs(y).max() + 0.001 * rng.normal(size=t.size)).astype(np.float32)


# ------------------------------------------------------------------------ spectrograms
def test_spectrogram_of_four_seconds_is_500_by_129():
    y = _tone(4.0)
    assert y.shape == (64000,)
    spec = ld.spectrogram(y)
    assert spec.shape == (500, 129)
    assert ld.spectrogram_shape(64000) == (500, 129)
    assert spec.dtype == np.float32 and np.all(np.isfinite(spec))


def test_spectrogram_batch_matches_single_and_log_is_log_of_magnitude():
    batch = np.stack([_tone(1.0, 200), _tone(1.0, 300)])
    specs = ld.spectrogram(batch)
    assert specs.shape == (2, *ld.spectrogram_shape(16000)) == (2, 125, 129)
    np.testing.assert_allclose(specs[1], ld.spectrogram(batch[1]), rtol=1e-5, atol=1e-5)
    mag = ld.spectrogram(batch[0], log=False)
    np.testing.assert_allclose(np.log(mag + 1e-6), specs[0], rtol=1e-4, atol=1e-4)
    # The strongest bin of a 200 Hz tone: bin width 16000 / 256 = 62.5 Hz -> bin 3.
    assert int(np.argmax(mag.mean(axis=0))) == round(200 / 62.5)


def test_spectrograms_in_batches_equals_one_call():
    chunks = np.stack([_tone(0.5, f) for f in (150, 250, 350, 450, 550)])
    out = ld.spectrograms(chunks, batch_size=2, progress=False)
    assert out.shape == (5, 63, 129)
    np.testing.assert_allclose(out, ld.spectrogram(chunks), rtol=1e-5, atol=1e-5)


def test_spectrogram_rejects_bad_input():
    with pytest.raises(ValueError, match="muestras"):
        ld.spectrogram(np.zeros(100))
    with pytest.raises(ValueError):
        ld.spectrogram(np.zeros((2, 2, 400)))


# ------------------------------------------------------------------------------ models
def _shapes(model) -> list[tuple]:
    return [tuple(layer.output.shape[1:]) for layer in model.layers]


def test_conv_lstm_matches_the_coursework_table():
    model = lm.build_conv_lstm()
    assert model.count_params() == 101_156
    assert [layer.count_params() for layer in model.layers] == [
        24_832, 0, 0, 24_704, 0, 0, 49_408, 0, 2_080, 132]
    assert _shapes(model) == [(498, 64), (166, 64), (166, 64), (164, 128), (54, 128), (54, 128),
                              (64,), (64,), (32,), (4,)]
    assert model.predict(np.zeros((2, 500, 129), np.float32), verbose=0).shape == (2, 4)


def test_cnn_matches_the_coursework_table_and_adapts():
    rng = np.random.default_rng(0)
    # One constant level per example: resizing keeps it, so the adapted statistics are exact.
    levels = 3.0 + 2.0 * rng.normal(size=(200, 1, 1, 1))
    data = np.broadcast_to(levels, (200, 500, 129, 1)).astype(np.float32)
    model = lm.build_cnn(adapt_data=data)
    assert model.count_params() == 766_887
    assert sum(np.prod(w.shape) for w in model.non_trainable_weights) == 3
    assert [layer.count_params() for layer in model.layers] == [
        0, 3, 640, 0, 0, 73_856, 0, 0, 0, 692_256, 132]
    assert _shapes(model) == [(128, 128, 1), (128, 128, 1), (126, 126, 64), (42, 42, 64),
                              (42, 42, 64), (40, 40, 128), (13, 13, 128), (13, 13, 128),
                              (21632,), (32,), (4,)]
    norm = model.get_layer("normalization")
    assert float(np.asarray(norm.mean).ravel()[0]) == pytest.approx(levels.mean(), abs=1e-3)
    assert float(np.asarray(norm.variance).ravel()[0]) == pytest.approx(levels.var(), rel=1e-3)
    with pytest.raises(ValueError, match="adapt_data"):
        lm.build_cnn(adapt_data=data[..., 0])


# ------------------------------------------------------------------- chunks and noise
def test_load_chunks_cuts_four_second_windows(tmp_path):
    paths = []
    for name, seconds in (("a", 9.5), ("b", 3.0), ("c", 4.0)):
        path = tmp_path / f"{name}.wav"
        sf.write(path, _tone(seconds), SR)
        paths.append(str(path))
    table = pd.DataFrame({"path": paths, "language": ["es_419", "fr_fr", "ja_jp"],
                          "id": [10, 11, 12]}, index=[5, 6, 7])
    chunks, chunk_table = ld.load_chunks(table, progress=False)
    assert chunks.shape == (3, 64000)
    assert chunk_table["recording"].tolist() == [5, 5, 7]
    assert chunk_table["chunk"].tolist() == [0, 1, 0]
    assert chunk_table["start_s"].tolist() == [0.0, 4.0, 0.0]
    assert chunk_table["id"].tolist() == [10, 10, 12]
    np.testing.assert_allclose(chunks[1], sf.read(paths[0], dtype="float32")[0][64000:128000],
                               atol=1e-4)
    with pytest.raises(ValueError, match="path"):
        ld.load_chunks(table.drop(columns="path"), progress=False)


def test_noise_has_lower_contrast():
    rng = np.random.default_rng(1)
    noise = (0.1 * rng.normal(size=(2, 32000))).astype(np.float32)
    speechlike = np.stack([_tone(2.0, 180), _tone(2.0, 240)])
    contrasts = ld.chunk_contrasts(np.concatenate([noise, speechlike]), progress=False)
    assert contrasts.shape == (4,)
    assert contrasts[:2].max() < contrasts[2:].min()



# ------------------------------------------------------------------------------ splits
def test_grouped_splits_keep_groups_together():
    groups = np.repeat(np.arange(40), 3)
    train, val, test = ld.grouped_splits(groups, val_size=0.2, test_size=0.2, seed=3)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(120))
    sets = [set(groups[idx]) for idx in (train, val, test)]
    assert not (sets[0] & sets[1]) and not (sets[0] & sets[2]) and not (sets[1] & sets[2])
    assert [len(s) for s in sets] == [24, 8, 8]
    with pytest.raises(ValueError):
        ld.grouped_splits(groups, val_size=0.6, test_size=0.5)


def test_grouped_splits_can_stratify_by_label():
    groups = np.repeat(np.arange(84), 2)  # 84 sentences, two windows each
    labels = np.repeat(np.arange(84) % 4, 2)  # 21 sentences per class
    train, val, test = ld.grouped_splits(groups, labels=labels, seed=1)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(168))
    for part in (val, test):
        assert np.bincount(labels[part], minlength=4).tolist() == [6, 6, 6, 6]  # balanced
        assert not set(groups[part]) & set(groups[train])
    assert not set(groups[val]) & set(groups[test])
    assert len(test) == 24  # one fold of 7
    with pytest.raises(ValueError, match="largo"):
        ld.grouped_splits(groups, labels=labels[:-1])


def test_standardize_windows_removes_gain_in_place():
    rng = np.random.default_rng(0)
    base = rng.normal(size=(3, 50, 129)).astype(np.float32)
    x = np.concatenate([base, base * 3 + 7]).astype(np.float16)
    out = ld.standardize_windows(x, batch_size=2)
    assert out is x and x.dtype == np.float16
    np.testing.assert_allclose(x[:3].astype(np.float32), x[3:].astype(np.float32), atol=1e-2)
    np.testing.assert_allclose(x.astype(np.float32).mean(axis=(1, 2)), 0, atol=1e-2)
    np.testing.assert_allclose(x.astype(np.float32).std(axis=(1, 2)), 1, atol=1e-2)
    with pytest.raises(ValueError):
        ld.standardize_windows(np.zeros(3))


def test_leak_report_counts_shared_recordings_and_ids():
    table = pd.DataFrame({"recording": [0, 0, 1, 2, 3, 3], "id": [7, 7, 7, 8, 9, 9]})
    report = ld.leak_report(table, train=[0, 3, 4], test=[1, 2, 5])
    assert report["recording"] == pytest.approx(2 / 3)  # rows 1 and 5 have a sibling in train
    assert report["id"] == pytest.approx(1.0)  # ids 7, 7, 9 all appear in train
    clean = ld.leak_report(table, train=[0, 1, 2], test=[3, 4, 5])
    assert clean.tolist() == [0.0, 0.0]


def test_grouped_splits_use_fewer_folds_when_groups_are_few():
    groups = np.repeat(np.arange(4), 3)  # 4 sentences: fewer than the 7 folds of test_size 0.15
    labels = np.repeat([0, 1, 0, 1], 3)
    train, val, test = ld.grouped_splits(groups, labels=labels, seed=0)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(12))
    sets = [set(groups[idx]) for idx in (train, val, test)]
    assert all(sets) and not (sets[0] & sets[1] or sets[0] & sets[2] or sets[1] & sets[2])
    with pytest.raises(ValueError, match="al menos 3"):
        ld.grouped_splits(np.repeat([0, 1], 3), labels=np.repeat([0, 1], 3))


def test_grouped_splits_with_fewer_rows_per_class_than_folds():
    groups = np.arange(8)  # 8 sentences, one window each: 2 per class, fewer than 7 folds
    labels = np.repeat(np.arange(4), 2)
    train, val, test = ld.grouped_splits(groups, labels=labels, seed=0)
    assert sorted(np.concatenate([train, val, test]).tolist()) == list(range(8))
    assert len(train) and len(val) and len(test)
    single = ld.grouped_splits(np.arange(4), labels=np.arange(4), seed=0)  # one row per class
    assert sorted(np.concatenate(single).tolist()) == [0, 1, 2, 3] and all(len(p) for p in single)

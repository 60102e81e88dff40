"""course_utils.data.keywords (splits, TensorFlow signal ops, tf.data pipelines) and the models
of lesson 06 (course_utils.models.keywords, generated from its export cells)."""

from __future__ import annotations

import numpy as np
import pytest

tf = pytest.importorskip("tensorflow")
sf = pytest.importorskip("soundfile")

from course_utils import audio  # noqa: E402
from course_utils.data import keywords as kd  # noqa: E402
from course_utils.models import keywords as kw  # noqa: E402


# ----------------------------------------------------------------------------------- splits
def test_speaker_split_keeps_each_speaker_on_one_side():
    speakers = np.repeat([f"spk{i:02d}" for i in range(40)], 5)
    split = kd.speaker_split(speakers, val_size=0.1, test_size=0.2, seed=3)
    assert set(split) == {"train", "val", "test"}
    for s in set(speakers):
        assert len(set(split[speakers == s])) == 1
    n_test = len(set(speakers[split == "test"]))
    n_val = len(set(speakers[split == "val"]))
    assert n_test == 8 and n_val == 4
    again = kd.speaker_split(speakers, val_size=0.1, test_size=0.2, seed=3)
    assert (again == split).all()


def test_speaker_split_rejects_bad_sizes():
    with pytest.raises(ValueError, match="fracciones"):
        kd.speaker_split(["a", "b", "c"], val_size=0.6, test_size=0.5)


def test_encode_words_uses_vocabulary_order_and_rejects_unknown():
    assert kd.encode_words(["yes", "down", "go"]).tolist() == [7, 0, 1]
    with pytest.raises(ValueError, match="maybe"):
        kd.encode_words(["yes", "maybe"])


# ------------------------------------------------------------------------------- signal ops
@pytest.mark.parametrize("orig, target", [(16000, 8000), (8000, 16000), (16000, 12000)])
def test_resample_matches_scipy_resample_poly(orig, target):
    from scipy.signal import resample_poly

    x = np.random.default_rng(0).standard_normal(orig // 4).astype(np.float32)
    g = np.gcd(orig, target)
    expected = resample_poly(x, target // g, orig // g)
    got = kd.resample(x, orig, target).numpy()
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_resample_removes_frequencies_above_the_new_nyquist():
    t = np.arange(16000) / 16000
    keep = kd.resample(np.sin(2 * np.pi * 1000 * t), 16000, 8000).numpy()
    alias = kd.resample(np.sin(2 * np.pi * 6000 * t), 16000, 8000).numpy()
    inner = slice(100, -100)
    assert np.sqrt(np.mean(keep[inner] ** 2)) == pytest.approx(np.sqrt(0.5), rel=0.01)
    # 6 kHz would fold to 2 kHz; the anti-aliasing filter leaves less than -40 dB of it
    assert np.sqrt(np.mean(alias[inner] ** 2)) < 0.01 * np.sqrt(0.5)


def test_fix_length_pads_at_the_end_and_cuts():
    y = tf.constant([1.0, 2.0, 3.0])
    assert kd.fix_length(y, 5).numpy().tolist() == [1, 2, 3, 0, 0]
    assert kd.fix_length(y, 2).numpy().tolist() == [1, 2]


def test_log_mel_matches_librosa_version_of_course_utils_audio():
    fmt = kd.AudioFormat()
    rng = np.random.default_rng(1)
    y = (rng.standard_normal(fmt.n_samples) * np.linspace(0, 1, fmt.n_samples)).astype(np.float32)
    expected = audio.log_mel(y, fmt.sample_rate, n_fft=fmt.n_fft, hop_length=fmt.hop_length,
                             n_mels=fmt.n_mels, top_db=fmt.top_db)
    got = kd.log_mel(y, fmt).numpy()
    assert got.shape == expected.shape == fmt.log_mel_shape[:2] == (40, 63)
    np.testing.assert_allclose(got, expected, atol=1e-3)
    assert got.max() == 0.0 and got.min() >= -fmt.top_db


# ---------------------------------------------------------------------------- input pipeline
@pytest.fixture
def wav_files(tmp_path):
    """Six 16 kHz int16 WAV files, shorter and longer than 1 s: tones of 300-800 Hz."""
    paths = []
    for i, n in enumerate([12000, 16000, 20000, 8000, 16000, 15000]):
        t = np.arange(n) / 16000
        path = tmp_path / f"spk{i % 3}_nohash_{i}.wav"
        sf.write(path, 0.5 * np.sin(2 * np.pi * (300 + 100 * i) * t), 16000, subtype="PCM_16")
        paths.append(path)
    return paths


def test_clip_dataset_waveforms_are_8k_one_second(wav_files):
    ds = kd.clip_dataset(wav_files, np.arange(6), feature="waveform")
    items = list(ds.as_numpy_iterator())
    assert len(items) == 6
    x, y = items[0]
    assert x.shape == (8000, 1) and x.dtype == np.float32 and y == 0
    # 12,000 samples at 16 kHz = 0.75 s -> 6,000 samples at 8 kHz, then zeros
    assert np.abs(x[5900:5990]).max() > 0.3 and not x[6010:].any()
    # the tone survives resampling (amplitude 0.5 in the middle of the clip)
    assert np.abs(x[1000:5000]).max() == pytest.approx(0.5, abs=0.01)


def test_clip_dataset_log_mel_and_batches(wav_files):
    fmt = kd.AudioFormat()
    ds = kd.clip_dataset(wav_files, np.arange(6), feature="log_mel", fmt=fmt)
    shapes = [x.shape for x, _ in kd.batches(ds, 4, shuffle=True, seed=0).as_numpy_iterator()]
    assert shapes == [(4, *fmt.log_mel_shape), (2, *fmt.log_mel_shape)]
    _, labels = next(iter(kd.batches(ds, 6, shuffle=True)))
    assert sorted(labels.numpy().tolist()) == [0, 1, 2, 3, 4, 5]


def test_clip_dataset_cache_serves_later_passes_without_the_files(wav_files):
    ds = kd.clip_dataset(wav_files, np.arange(6))
    plain = kd.clip_dataset(wav_files, np.arange(6), cache=False)
    first = np.concatenate([x for x, _ in kd.batches(ds, 4).as_numpy_iterator()])
    for path in wav_files:
        path.unlink()
    # another batching of the same cached dataset: read from memory, not from disk
    again = {int(y): x for xb, yb in kd.batches(ds, 2, shuffle=True) for x, y in zip(xb, yb)}
    np.testing.assert_array_equal(np.stack([again[i] for i in range(6)]), first)
    with pytest.raises(tf.errors.NotFoundError):
        list(plain)


def test_clip_dataset_rejects_mismatched_inputs(wav_files, tmp_path):
    with pytest.raises(ValueError, match="etiquetas"):
        kd.clip_dataset(wav_files, [0, 1])
    other = tmp_path / "other_nohash_0.wav"
    sf.write(other, np.zeros(800), 8000, subtype="PCM_16")
    with pytest.raises(ValueError, match="frecuencias de muestreo distintas"):
        kd.clip_dataset([*wav_files, other], np.arange(7))
    with pytest.raises(ValueError, match="feature"):
        kd.clip_dataset(wav_files, np.arange(6), feature="mfcc")


# -------------------------------------------------------------------------------- models
def test_conv_lengths_formula():
    assert kw.conv_lengths(8000) == [1975, 493, 122, 29, 6, 0]
    assert kw.conv_lengths(32000)[-1] == 6
    assert kw.conv_lengths(28767)[-1] == 6 and kw.conv_lengths(28766)[-1] == 5
    assert kw.conv_lengths(32862)[-1] == 6 and kw.conv_lengths(32863)[-1] == 7
    assert kw.conv_lengths(8000, padding="same") == [2000, 500, 125, 31, 7, 1]


def _shapes(model, prefix):
    return [tuple(layer.output.shape[1:]) for layer in model.layers if layer.name.startswith(prefix)]


def test_seed_network_flattens_1536_and_has_641016_parameters():
    model = kw.seed_waveform_cnn(32000, 248)
    assert _shapes(model, "pool") == [(7975, 32), (1993, 64), (497, 64), (123, 128), (30, 128),
                                      (6, 256)]
    assert tuple(model.get_layer("flatten").output.shape[1:]) == (1536,)
    assert [model.get_layer(f"conv{i}").count_params() for i in range(1, 7)] == [
        3200, 8192, 16384, 32768, 65536, 131072]
    assert model.get_layer("linear").count_params() == 1536 * 248 + 248 == 381_176
    assert model.count_params() == 641_016


def test_seed_network_cannot_take_one_second_at_8khz():
    with pytest.raises(ValueError, match="bloque 6"):
        kw.seed_waveform_cnn(8000)


def test_waveform_cnn_for_8khz_shapes_and_parameters():
    model = kw.build_waveform_cnn(8)
    assert _shapes(model, "pool") == [(2000, 32), (500, 64), (125, 64), (31, 128), (7, 128),
                                      (1, 256)]
    assert tuple(model.get_layer("flatten").output.shape[1:]) == (256,)
    assert model.count_params() == 257_152 + 2_688 + 2_056 == 261_896
    # PyTorch's BatchNorm1d defaults (the report's framework): momentum 0.1 = Keras 0.9
    assert model.get_layer("norm1").momentum == pytest.approx(0.9)
    non_trainable = sum(int(np.prod(w.shape)) for w in model.non_trainable_weights)
    assert non_trainable == 2 * (32 + 64 + 64 + 128 + 128 + 256)
    out = model(np.zeros((2, 8000, 1), np.float32))
    assert out.shape == (2, 8)
    np.testing.assert_allclose(out.numpy().sum(axis=1), 1.0, rtol=1e-5)


def test_waveform_cnn_width():
    small = kw.build_waveform_cnn(8, width=0.25)
    assert _shapes(small, "pool")[-1] == (1, 64)
    assert small.get_layer("conv1").count_params() == 100 * 8  # no bias: BatchNorm has β
    assert small.count_params() == 17_864


def test_spectrogram_cnn_shapes_and_parameters():
    model = kw.build_spectrogram_cnn(8)
    assert tuple(model.input.shape[1:]) == (40, 63, 1)
    assert _shapes(model, "b4_pool") == [(2, 3, 128)]
    assert [model.get_layer(f"b{i}_pool").output.shape[1:3] for i in range(1, 5)] == [
        (20, 31), (10, 15), (5, 7), (2, 3)]
    assert model.count_params() == 242_344
    out = model(np.full((3, 40, 63, 1), -40.0, np.float32))
    assert out.shape == (3, 8)


def test_spectrogram_cnn_takes_another_block():
    from keras import layers

    calls = []

    def plain_block(x, filters, *, name):
        calls.append((filters, name))
        return layers.Conv2D(filters, 3, padding="same", name=f"{name}_conv")(x)

    model = kw.build_spectrogram_cnn(8, widths=(8, 16), block=plain_block)
    assert calls == [(8, "b1"), (16, "b2")]
    assert model.count_params() == (9 * 8 + 8) + (9 * 8 * 16 + 16) + (16 * 8 + 8)
    two = kw.build_spectrogram_cnn(
        8, widths=(8,), block=lambda x, f, *, name: kw.conv2d_block(x, f, name=name, convs=2))
    assert two.get_layer("b1_conv2").count_params() == 9 * 8 * 8

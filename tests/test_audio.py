"""Unit tests for course_utils.audio: every pipeline step and the helpers around it."""

from __future__ import annotations

import librosa
import numpy as np
import pytest
import soundfile as sf

from course_utils import audio

SR = 8000


def tone(freq: float = 440.0, seconds: float = 0.5, amplitude: float = 0.5) -> np.ndarray:
    return (amplitude * librosa.tone(freq, sr=SR, duration=seconds)).astype(np.float32)


def tone_in_silence(before: float = 0.5, seconds: float = 0.5, after: float = 0.5) -> np.ndarray:
    return np.concatenate([np.zeros(int(before * SR), np.float32), tone(seconds=seconds),
                           np.zeros(int(after * SR), np.float32)])


@pytest.fixture
def wav_files(tmp_path):
    """Five short 8 kHz int16 WAVs of different tones and lengths."""
    paths = []
    for i, (freq, seconds) in enumerate([(300, 0.4), (500, 0.6), (700, 0.8), (900, 0.3),
                                         (1100, 0.5)]):
        path = tmp_path / f"{i}_synth_{i}.wav"
        silence = np.zeros(int(0.2 * SR), np.float32)
        y = np.concatenate([silence, tone(freq, seconds), silence])
        sf.write(path, y, SR, subtype="PCM_16")
        paths.append(path)
    return paths


SMALL = dict(sr=SR, n_fft=512, hop_length=128, n_mels=40)


# ------------------------------------------------------------------------------- load
def test_load_resamples_to_requested_rate(wav_files):
    y8 = audio.load(wav_files[0], sr=SR)
    y16 = audio.load(wav_files[0], sr=16000)
    assert y8.dtype == np.float32 and y8.ndim == 1
    assert len(y8) == int(0.8 * SR)
    assert abs(len(y16) - 2 * len(y8)) <= 1
    np.testing.assert_allclose(y8, sf.read(wav_files[0], dtype="float32")[0], atol=1e-6)


def test_load_missing_file_says_so_in_spanish(tmp_path):
    with pytest.raises(FileNotFoundError, match="No encontré"):
        audio.load(tmp_path / "nada.wav")


# ----------------------------------------------------------------------- silence removal
@pytest.mark.parametrize("mode", ["split", "trim"])
def test_remove_silence_keeps_the_tone_and_drops_the_silence(mode):
    y = tone_in_silence(0.5, 0.5, 0.5)
    out = audio.remove_silence(y, top_db=40, frame_length=512, hop_length=128, mode=mode)
    tone_samples = int(0.5 * SR)
    # the tone survives (within one frame either side) and most of the 1 s of silence goes
    assert tone_samples <= len(out) <= tone_samples + 2 * 512
    assert np.abs(out).max() == pytest.approx(np.abs(y).max())
    assert len(out) < 0.6 * len(y)


def test_remove_silence_split_also_removes_inner_pause_but_trim_does_not():
    y = np.concatenate([tone(seconds=0.3), np.zeros(SR, np.float32), tone(seconds=0.3)])
    split = audio.remove_silence(y, top_db=40, frame_length=512, hop_length=128, mode="split")
    trim = audio.remove_silence(y, top_db=40, frame_length=512, hop_length=128, mode="trim")
    assert len(split) < 0.6 * len(y)
    assert len(trim) == pytest.approx(len(y), abs=512)


def test_remove_silence_matches_librosa_split():
    y = tone_in_silence()
    intervals = librosa.effects.split(y, top_db=30, frame_length=256, hop_length=64)
    expected = np.concatenate([y[a:b] for a, b in intervals])
    np.testing.assert_array_equal(
        audio.remove_silence(y, top_db=30, frame_length=256, hop_length=64), expected)


def test_remove_silence_on_pure_silence_warns_and_returns_input():
    y = np.zeros(SR, np.float32)
    with pytest.warns(UserWarning, match="silencio puro"):
        out = audio.remove_silence(y)
    assert len(out) == SR


@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 100), np.float32), "mono 1-D"),
    (np.zeros(0, np.float32), "vacía"),
    (np.array([0.0, np.nan, 1.0]), "NaN"),
])
def test_remove_silence_rejects_bad_signals(bad, match):
    with pytest.raises(ValueError, match=match):
        audio.remove_silence(bad)


def test_remove_silence_rejects_bad_mode_and_top_db():
    with pytest.raises(ValueError, match="mode"):
        audio.remove_silence(tone(), mode="sox")
    with pytest.raises(ValueError, match="top_db"):
        audio.remove_silence(tone(), top_db=-5)


# ------------------------------------------------------------------------------- MFCC
def test_mfcc_shape_and_agreement_with_librosa():
    y = tone(seconds=1.0)
    m = audio.mfcc(y, SR, n_mfcc=20, n_fft=512, hop_length=128, n_mels=40)
    assert m.shape == (20, 1 + len(y) // 128)
    expected = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=20, n_fft=512, hop_length=128, n_mels=40)
    np.testing.assert_allclose(m, expected)


def test_mfcc_rejects_more_coefficients_than_mel_bands():
    with pytest.raises(ValueError, match="n_mels"):
        audio.mfcc(tone(), SR, n_mfcc=40, n_mels=32)


# -------------------------------------------------------------------- cut / scale / pad
def test_cut_keeps_first_frames_only():
    m = np.arange(40 * 120, dtype=float).reshape(40, 120)
    out = audio.cut(m, 100)
    assert out.shape == (40, 100)
    np.testing.assert_array_equal(out, m[:, :100])
    assert audio.cut(m[:, :30], 100).shape == (40, 30)  # shorter: unchanged
    with pytest.raises(ValueError, match="entero positivo"):
        audio.cut(m, 0)
    with pytest.raises(ValueError, match="2-D"):
        audio.cut(m[..., None], 10)


def test_scale_global_keeps_ratios_and_lies_in_unit_interval():
    rng = np.random.default_rng(0)
    m = rng.normal(0, 50, size=(40, 30))
    out = audio.scale(m)
    assert out.min() >= -1 and out.max() <= 1
    assert np.abs(out).max() == pytest.approx(1.0)
    np.testing.assert_allclose(out * np.abs(m).max(), m)  # one factor for everything


def test_scale_per_frame_is_the_lectures_librosa_normalize():
    rng = np.random.default_rng(1)
    m = rng.normal(0, 50, size=(40, 30))
    out = audio.scale(m, axis=0)
    np.testing.assert_allclose(out, librosa.util.normalize(m))
    np.testing.assert_allclose(np.abs(out).max(axis=0), 1.0)  # every frame reaches 1


def test_scale_of_zeros_is_zeros_not_nan():
    out = audio.scale(np.zeros((4, 5)))
    assert np.all(out == 0)


def test_scale_rejects_bad_axis():
    with pytest.raises(ValueError, match="axis"):
        audio.scale(np.ones((3, 3)), axis=2)


def test_pad_end_appends_zeros_after_the_data():
    m = np.ones((3, 4))
    out = audio.pad(m, 10, side="end")
    assert out.shape == (3, 10)
    np.testing.assert_array_equal(out[:, :4], 1)
    np.testing.assert_array_equal(out[:, 4:], 0)


def test_pad_center_matches_lecture_pad_center():
    m = np.ones((3, 4))
    out = audio.pad(m, 10, side="center")
    np.testing.assert_array_equal(out, librosa.util.pad_center(m, size=10))
    np.testing.assert_array_equal(out[:, :3], 0)
    np.testing.assert_array_equal(out[:, 3:7], 1)
    np.testing.assert_array_equal(out[:, 7:], 0)


def test_pad_errors():
    with pytest.raises(ValueError, match="recórtala"):
        audio.pad(np.ones((3, 12)), 10)
    with pytest.raises(ValueError, match="side"):
        audio.pad(np.ones((3, 4)), 10, side="left")


def test_transpose_keeps_time_order_unlike_rot90():
    m = np.arange(12).reshape(3, 4)  # 3 coefficients, 4 frames
    out = audio.to_time_major(m)
    assert out.shape == (4, 3)
    np.testing.assert_array_equal(out[0], m[:, 0])  # first row is the first frame
    np.testing.assert_array_equal(np.rot90(m)[0], m[:, -1])  # rot90: first row is the last


def test_add_channel():
    assert audio.add_channel(np.zeros((50, 40))).shape == (50, 40, 1)


# --------------------------------------------------------------------------- pipeline
def test_pipeline_trace_reports_every_step():
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=40, max_frames=50, top_db=40)
    y = tone_in_silence()
    trace = pipe.trace(y)
    names = [name for name, _ in trace]
    assert len(trace) == 8 and names[0].startswith("1.") and names[-1].startswith("8.")
    shapes = dict(trace)
    assert shapes["1. cargar"] == (len(y),)
    assert shapes["2. quitar silencios"][0] < len(y)
    assert shapes["3. MFCC"][0] == 40
    assert trace[-1][1] == (50, 40, 1) == pipe.output_shape


def test_pipeline_equals_direct_librosa_calls():
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=40, max_frames=100, top_db=None, pad_side="center",
                              scale_axis=0, time_major=False, channel=False)
    y = tone(seconds=0.6)
    m = librosa.feature.mfcc(y=y, sr=SR, n_mfcc=40, n_fft=512, hop_length=128, n_mels=40)
    expected = librosa.util.pad_center(librosa.util.normalize(m[:, :100]), size=100)
    np.testing.assert_allclose(pipe(y), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seconds", [0.2, 3.0])
def test_pipeline_output_shape_is_fixed_and_in_range(seconds):
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=20, max_frames=60, top_db=40)
    out = pipe(tone(seconds=seconds))
    assert out.shape == (60, 20, 1) and out.dtype == np.float32
    assert out.min() >= -1 and out.max() <= 1
    if seconds == 0.2:  # short clip: padded with zeros at the end
        assert np.all(out[-10:] == 0)


def test_pipeline_from_file(wav_files):
    pipe = audio.MFCCPipeline(**SMALL, max_frames=40, top_db=40)
    assert pipe(wav_files[1]).shape == (40, 40, 1)


def test_pipeline_rejects_bad_config():
    with pytest.raises(ValueError, match="pad_side"):
        audio.MFCCPipeline(pad_side="left")
    with pytest.raises(ValueError, match="max_frames"):
        audio.MFCCPipeline(max_frames=0)
    with pytest.raises(ValueError, match="n_mels"):
        audio.MFCCPipeline(n_mfcc=40, n_mels=20)


# -------------------------------------------------------------------------- durations
def test_durations_and_pareto(wav_files):
    d = audio.durations(wav_files, progress=False)
    np.testing.assert_allclose(d, [0.8, 1.0, 1.2, 0.7, 0.9], atol=1e-3)
    table = audio.pareto_table(d, bin_width=0.5)
    assert table["count"].sum() == 5
    assert list(table["count"]) == sorted(table["count"], reverse=True)
    assert table["cumulative"].iloc[-1] == pytest.approx(1.0)
    first = table.iloc[0]
    assert (first["start"], first["end"], first["count"]) == (0.5, 1.0, 3)


def test_pareto_rejects_empty_input():
    with pytest.raises(ValueError):
        audio.pareto_table([])


# --------------------------------------------------------------------------- chunking
@pytest.mark.parametrize("n_samples, overlap, pad_last, expected", [
    (3 * SR, 0.0, False, 3),
    (3 * SR + 100, 0.0, False, 3),
    (3 * SR + 100, 0.0, True, 4),
    (3 * SR, 0.5, False, 5),
    (SR // 2, 0.0, False, 0),
    (SR // 2, 0.0, True, 1),
])
def test_chunk_counts_and_samples(n_samples, overlap, pad_last, expected):
    y = np.arange(n_samples, dtype=np.float32) / n_samples
    chunks = audio.chunk(y, SR, 1.0, overlap=overlap, pad_last=pad_last)
    assert chunks.shape == (expected, SR)
    hop = round(SR * (1 - overlap))
    assert audio.count_chunks(n_samples, SR, hop, pad_last=pad_last) == expected
    for k, c in enumerate(chunks):
        real = y[k * hop: k * hop + SR]
        np.testing.assert_array_equal(c[: len(real)], real)  # samples in order
        np.testing.assert_array_equal(c[len(real):], 0)  # padding only at the tail


def test_chunk_rejects_bad_overlap():
    with pytest.raises(ValueError, match="overlap"):
        audio.chunk(tone(), SR, 0.1, overlap=1.0)


# ------------------------------------------------------------------ spectral features
def test_max_contrast_bands_is_what_librosa_accepts():
    for sr in (8000, 16000, 22050):
        n = audio.max_contrast_bands(sr)
        y = tone(seconds=0.3)
        librosa.feature.spectral_contrast(y=y, sr=sr, n_bands=n)
        with pytest.raises(librosa.util.exceptions.ParameterError):
            librosa.feature.spectral_contrast(y=y, sr=sr, n_bands=n + 1)


def test_mean_spectral_contrast_is_higher_for_a_tone_than_for_noise():
    noise = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    c_tone = audio.mean_spectral_contrast(tone(seconds=1.0), SR, n_fft=512, hop_length=128)
    c_noise = audio.mean_spectral_contrast(noise, SR, n_fft=512, hop_length=128)
    assert c_tone > c_noise + 2
    with pytest.raises(ValueError, match="bandas"):
        audio.mean_spectral_contrast(noise, SR, n_bands=6)


def test_stft_db_is_log_magnitude_of_librosa_stft():
    y = tone(seconds=0.5)
    s = audio.stft_db(y, n_fft=256, hop_length=64)
    assert s.shape == (129, 1 + len(y) // 64)
    assert s.max() == pytest.approx(0.0) and s.min() >= -80.0
    expected = librosa.amplitude_to_db(np.abs(librosa.stft(y, n_fft=256, hop_length=64)),
                                       ref=np.max)
    np.testing.assert_allclose(s, expected, atol=1e-4)
    peak_bin = np.argmax(s.mean(axis=1))
    assert abs(peak_bin * SR / 256 - 440) < SR / 256  # energy at the tone's frequency


def test_log_mel_shape():
    s = audio.log_mel(tone(seconds=0.5), SR, n_fft=512, hop_length=128, n_mels=40)
    assert s.shape == (40, 1 + int(0.5 * SR) // 128)
    assert s.max() == pytest.approx(0.0)


# ---------------------------------------------------------------- extraction at scale
@pytest.mark.slow
def test_extract_in_parallel_agrees_with_serial(wav_files, tmp_path):
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=20, max_frames=40, top_db=40)
    serial = audio.extract_features(wav_files, pipe, progress=False)
    parallel = audio.extract_features(wav_files, pipe, n_jobs=2, progress=False)
    np.testing.assert_allclose(parallel, serial, atol=1e-6)
    cached = audio.extract_features(wav_files, pipe, n_jobs=2, cache=tmp_path, progress=False)
    np.testing.assert_allclose(cached, serial, atol=1e-6)
    assert len(list(tmp_path.rglob("*.npy"))) == 6  # written by the workers: 5 files + batch


def test_extract_serial_and_cached_agree(wav_files, tmp_path):
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=20, max_frames=40, top_db=40)
    serial = audio.extract_features(wav_files, pipe, progress=False)
    assert serial.shape == (5, 40, 20, 1)
    np.testing.assert_allclose(serial[2], pipe(wav_files[2]))

    cache = tmp_path / "cache"
    cold = audio.extract_features(wav_files, pipe, cache=cache, progress=False)
    np.testing.assert_allclose(cold, serial, atol=1e-6)
    per_file = [f for f in cache.rglob("*.npy") if not f.name.startswith("batch-")]
    batches = list(cache.rglob("batch-*.npy"))
    assert len(per_file) == 5 and len(batches) == 1
    # make the cached values recognisable, to prove what a warm run reads
    for f in per_file:
        np.save(f, np.full((40, 20, 1), 7.0, np.float32))
    np.save(batches[0], np.full((5, 40, 20, 1), 9.0, np.float32))
    warm = audio.extract_features(wav_files, pipe, cache=cache, progress=False)
    assert np.all(warm == 9.0)  # the same call again: one read of the stacked batch
    subset = audio.extract_features(wav_files[:3], pipe, cache=cache, progress=False)
    assert np.all(subset == 7.0)  # another set of files: per-file entries, no recomputation
    listed = audio.extract_features(wav_files, pipe, cache=cache, stack=False, progress=False)
    assert all(np.all(x == 7.0) for x in listed)
    # another configuration gets its own cache folder
    audio.extract_features(wav_files, audio.MFCCPipeline(**SMALL, n_mfcc=13, max_frames=40),
                           cache=cache, progress=False)
    assert len(list(cache.iterdir())) == 2


def test_extract_cache_key_is_the_file_content(wav_files, tmp_path):
    pipe = audio.MFCCPipeline(**SMALL, n_mfcc=20, max_frames=40, top_db=40)
    cache = tmp_path / "cache"
    audio.extract_features(wav_files[:1], pipe, cache=cache, progress=False)
    sf.write(wav_files[0], tone(1500, 0.5), SR, subtype="PCM_16")  # new bytes, same path
    out = audio.extract_features(wav_files[:1], pipe, cache=cache, progress=False)
    np.testing.assert_allclose(out[0], pipe(wav_files[0]))
    assert len(list(cache.rglob("[!b]*.npy"))) == 2  # one entry per content, batches aside


def test_extract_errors(wav_files, tmp_path):
    with pytest.raises(FileNotFoundError, match="No encontré 1 de 2"):
        audio.extract_features([wav_files[0], tmp_path / "x.wav"], audio.MFCCPipeline(),
                               progress=False)
    with pytest.raises(ValueError, match="formas distintas"):
        audio.extract_features(wav_files, lambda p: np.zeros(int(p.name[0]) + 1), progress=False)
    ragged = audio.extract_features(wav_files, lambda p: np.zeros(int(p.name[0]) + 1),
                                    stack=False, progress=False)
    assert [len(r) for r in ragged] == [1, 2, 3, 4, 5]
    with pytest.raises(TypeError, match="lambda"):
        audio.extract_features(wav_files, lambda p: np.zeros(3), cache=tmp_path, progress=False)


def test_file_hash_changes_with_content(tmp_path):
    a, b = tmp_path / "a.bin", tmp_path / "b.bin"
    a.write_bytes(b"hola")
    b.write_bytes(b"hola")
    assert audio.file_hash(a) == audio.file_hash(b)
    b.write_bytes(b"chau")
    assert audio.file_hash(a) != audio.file_hash(b)


def test_default_cache_dir_follows_course_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path))
    assert audio.default_cache_dir() == tmp_path.resolve() / "features"

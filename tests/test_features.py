"""course_utils.features: per-clip vectors (MFCC statistics, spectral descriptors, fusion groups)."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import soundfile as sf

from course_utils import audio
from course_utils.features import GROUPS, ClipFeatures, feature_frame

SR = 8000


def tone(freq: float, seconds: float = 0.5, amp: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_layout_and_names():
    fx = ClipFeatures(sr=SR, groups=GROUPS, n_mfcc=20)
    sizes = {g: len(c) for g, c in fx.columns().items()}
    # 20 MFCC x (mean, std); 6 descriptors x 2; (5 octave bands at 8 kHz + 1) x 2; 12 x 2.
    assert sizes == {"mfcc": 40, "spectral": 12, "contrast": 12, "chroma": 24}
    assert fx.n_features == 88 == len(set(fx.names))
    assert fx.names[:2] == ["mfcc_media_01", "mfcc_media_02"]
    assert fx.names[20] == "mfcc_desv_01"
    assert ClipFeatures(sr=16000, groups=("contrast",)).n_features == 14  # 6 bands at 16 kHz
    assert ClipFeatures().groups == ("mfcc", "spectral") and ClipFeatures().n_features == 52


def test_vector_matches_its_definition():
    y = tone(440.0)
    fx = ClipFeatures(sr=SR, groups=GROUPS, top_db=None)
    v = fx(y)
    assert v.shape == (88,) and v.dtype == np.float32 and np.all(np.isfinite(v))
    named = dict(zip(fx.names, v))
    m = audio.mfcc(y, SR, n_mfcc=20, n_fft=256, hop_length=80, n_mels=40)
    assert np.allclose(v[:20], m.mean(axis=1), rtol=1e-4, atol=1e-3)
    assert np.allclose(v[20:40], m.std(axis=1), rtol=1e-4, atol=1e-3)
    assert named["centroid_media"] == pytest.approx(440, rel=0.1)   # energy sits at 440 Hz
    assert max(named[f"chroma_media_{pc}"] for pc in ("C", "D", "E")) < named["chroma_media_A"]
    assert named["chroma_media_A"] == pytest.approx(1.0, abs=0.05)


def test_groups_are_slices_of_the_full_vector():
    y = tone(300.0) + tone(1250.0, amp=0.2)
    full = ClipFeatures(groups=GROUPS)(y)
    start = 0
    for group in GROUPS:
        part = ClipFeatures(groups=(group,))(y)
        assert np.allclose(full[start:start + part.size], part)
        start += part.size
    assert start == full.size


def test_silence_is_trimmed_before_the_statistics():
    y = tone(500.0)
    padded = np.concatenate([np.zeros(4000, np.float32), y, np.zeros(4000, np.float32)])
    trimmed, untrimmed = ClipFeatures(), ClipFeatures(top_db=None)
    # Only the frames at the cut edges differ once the silence is trimmed.
    gap_trimmed = np.linalg.norm(trimmed(y)[:20] - trimmed(padded)[:20])
    gap_untrimmed = np.linalg.norm(untrimmed(y)[:20] - untrimmed(padded)[:20])
    assert gap_untrimmed > 50  # 2/3 of silent frames pull the MFCC means far away
    assert gap_trimmed < 0.2 * gap_untrimmed


def test_very_short_and_silent_clips_still_give_finite_vectors():
    fx = ClipFeatures(groups=GROUPS)
    assert np.all(np.isfinite(fx(tone(200.0, seconds=0.01))))
    with pytest.warns(UserWarning, match="silencio"):
        assert np.all(np.isfinite(fx(np.zeros(300, np.float32))))


def test_bad_configurations_are_explained_in_spanish():
    with pytest.raises(ValueError, match="desconocidos"):
        ClipFeatures(groups=("mfcc", "timbre"))
    with pytest.raises(ValueError, match="tupla no vacía"):
        ClipFeatures(groups="mfcc")
    with pytest.raises(ValueError, match="repite"):
        ClipFeatures(groups=("mfcc", "mfcc"))
    with pytest.raises(ValueError, match="n_mels"):
        ClipFeatures(n_mfcc=50, n_mels=40)
    with pytest.raises(ValueError, match="1-D"):
        ClipFeatures()(np.zeros((2, 100), np.float32))


def test_hashable_picklable_and_cache_key_changes_with_parameters():
    fx = ClipFeatures(groups=["mfcc", "chroma"])  # a list is normalised to a tuple
    assert fx.groups == ("mfcc", "chroma")
    assert pickle.loads(pickle.dumps(fx)) == fx and hash(fx) == hash(ClipFeatures(groups=("mfcc", "chroma")))
    assert hash(fx) != hash(ClipFeatures(groups=("mfcc", "chroma"), n_mfcc=13))


def test_feature_frame_reads_files_and_caches(tmp_path, monkeypatch):
    paths = []
    for k, freq in enumerate([220.0, 440.0, 880.0]):
        path = tmp_path / f"{k}.wav"
        sf.write(path, tone(freq), SR)
        paths.append(path)
    fx = ClipFeatures(groups=("mfcc", "spectral"))
    cache = tmp_path / "cache"
    frame = feature_frame(paths, fx, cache=cache, progress=False)
    assert list(frame.columns) == fx.names and frame.shape == (3, 52)
    assert frame["centroid_media"].is_monotonic_increasing
    assert list(cache.rglob("*.npy"))

    def broken(self, source):
        raise AssertionError("the cache should have answered")

    monkeypatch.setattr(ClipFeatures, "__call__", broken)  # a cached run must not extract again
    again = feature_frame(paths, fx, cache=cache, progress=False)
    assert np.array_equal(frame.to_numpy(), again.to_numpy())
    with pytest.raises(AssertionError, match="cache should"):
        feature_frame(paths, ClipFeatures(n_mfcc=13), cache=cache, progress=False)
    with pytest.raises(ValueError, match="No hay archivos"):
        feature_frame([], fx)
    with pytest.raises(TypeError, match="ClipFeatures"):
        feature_frame(paths, lambda p: np.zeros(3))

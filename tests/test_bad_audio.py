"""Broken and odd audio files (issue 16): load, duration, audit, MFCCPipeline, extract_features.

Every test runs with warnings as errors: no librosa deprecation noise, no n_fft warning, no
ResourceWarning about an unclosed file reaches the student.
"""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest
import soundfile as sf

from course_utils import audio
from course_utils.audio import AudioFileError

pytestmark = pytest.mark.filterwarnings("error")

SR = 16000
UNUSABLE = {  # name -> what the Spanish message must say
    "empty": "está vacío",
    "not_audio": "no es audio",
    "header_only": "encabezado pero ninguna muestra",
    "truncated": "está truncado",
}
USABLE = ("short_10ms", "silent", "long_60s", "stereo_44k", "clipped", "good")


def _tone(seconds: float, sr: int = SR, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * sr))) / sr
    return (amplitude * np.sin(2 * np.pi * 440 * t)).astype(np.float32)


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory) -> dict:
    """One file of each kind of the issue, generated."""
    folder = tmp_path_factory.mktemp("bad_audio")
    files = {name: folder / f"{name}.wav" for name in (*UNUSABLE, *USABLE)}
    sf.write(files["good"], _tone(1.0), SR, subtype="PCM_16")
    good = files["good"].read_bytes()
    files["empty"].write_bytes(b"")
    files["not_audio"].write_bytes(b"<html><body>Error 403: Forbidden</body></html>\n" * 20)
    files["header_only"].write_bytes(good[:44])  # copy cut right after the header
    sf.write(folder / "zero_samples.wav", np.zeros(0, np.float32), SR)  # a header, 0 samples
    assert (folder / "zero_samples.wav").stat().st_size > 0
    sf.write(files["truncated"], _tone(1.0), SR, subtype="PCM_16")
    full = files["truncated"].read_bytes()
    files["truncated"].write_bytes(full[: 44 + (len(full) - 44) // 2])  # disk filled up
    sf.write(files["short_10ms"], _tone(0.010), SR, subtype="PCM_16")
    sf.write(files["silent"], np.zeros(SR, np.float32), SR, subtype="PCM_16")
    sf.write(files["long_60s"], _tone(60.0, amplitude=0.3), SR, subtype="PCM_16")
    stereo = np.stack([_tone(1.0, 44100), _tone(1.0, 44100, 0.2)], axis=1)
    sf.write(files["stereo_44k"], stereo, 44100, subtype="PCM_16")
    sf.write(files["clipped"], np.clip(_tone(1.0, amplitude=3.0), -1, 1), SR, subtype="PCM_16")
    return files


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_load_names_the_file_and_says_what_is_wrong(bad_files, name):
    path = bad_files[name]
    with pytest.raises(AudioFileError) as info:
        audio.load(path)
    message = str(info.value)
    assert str(path) in message and UNUSABLE[name] in message
    assert "audit" in message  # what to do
    assert isinstance(info.value, ValueError) and info.value.path == path
    gc.collect()  # an unclosed file would now raise ResourceWarning (warnings are errors)


def test_a_wav_written_with_zero_samples_is_a_header_without_samples(bad_files):
    path = bad_files["good"].parent / "zero_samples.wav"
    for read in (audio.load, audio.duration):
        with pytest.raises(AudioFileError, match="encabezado pero ninguna muestra"):
            read(path)


@pytest.mark.parametrize("name", list(UNUSABLE))
def test_duration_and_pipeline_raise_the_same_error(bad_files, name):
    with pytest.raises(AudioFileError, match=UNUSABLE[name]):
        audio.duration(bad_files[name])
    with pytest.raises(AudioFileError, match=str(bad_files[name])):
        audio.MFCCPipeline()(bad_files[name])


def test_a_wav_missing_only_its_last_bytes_is_read(bad_files, tmp_path):
    path = tmp_path / "almost.wav"
    path.write_bytes(bad_files["good"].read_bytes()[:-40])  # a writer that miscounted the size
    assert len(audio.load(path, sr=SR)) == SR - 20


@pytest.mark.parametrize("name", USABLE)
def test_load_returns_finite_mono_audio(bad_files, name):
    y = audio.load(bad_files[name], sr=SR)
    assert y.ndim == 1 and y.dtype == np.float32 and len(y) > 0 and np.all(np.isfinite(y))
    expected = sf.info(bad_files[name]).duration
    assert abs(len(y) / SR - expected) < 1e-3


def test_stereo_44k_is_mixed_down_and_resampled_like_librosa(bad_files):
    import librosa

    ours = audio.load(bad_files["stereo_44k"], sr=SR)  # warnings are errors for ours only
    with warnings.catch_warnings():  # librosa.load imports audioread, whose aifc import warns
        warnings.simplefilter("ignore", DeprecationWarning)
        theirs, _ = librosa.load(bad_files["stereo_44k"], sr=SR)
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    assert audio.load(bad_files["stereo_44k"], sr=SR, mono=False).shape == (2, len(ours))


def test_short_clip_goes_through_the_pipeline_padded_without_warnings(bad_files):
    pipe = audio.MFCCPipeline()  # n_fft=2048 > 160 samples
    x = pipe(bad_files["short_10ms"])
    assert x.shape == pipe.output_shape and np.all(np.isfinite(x))
    assert audio.mfcc(audio.load(bad_files["short_10ms"]), SR).shape[1] == 1 + 2048 // 512


def test_audit_flags_the_unusable_and_notes_the_suspicious(bad_files):
    paths = list(bad_files.values())
    table = audio.audit(paths, progress=False)
    assert list(table.columns) == ["path", "ok", "problem", "duration_s", "sample_rate",
                                   "channels"]
    assert table["path"].tolist() == [str(p) for p in paths]
    rows = table.set_index("path")
    for name, words in UNUSABLE.items():
        row = rows.loc[str(bad_files[name])]
        assert not row["ok"] and words in row["problem"]
    for name in USABLE:
        assert rows.loc[str(bad_files[name]), "ok"], name
    assert "más corto que la ventana" in rows.loc[str(bad_files["short_10ms"]), "problem"]
    assert "silencio" in rows.loc[str(bad_files["silent"]), "problem"]
    assert "saturado" in rows.loc[str(bad_files["clipped"]), "problem"]
    for name in ("good", "long_60s", "stereo_44k"):
        assert rows.loc[str(bad_files[name]), "problem"] == "", name
    stereo = rows.loc[str(bad_files["stereo_44k"])]
    assert (stereo["sample_rate"], stereo["channels"]) == (44100, 2)
    assert rows.loc[str(bad_files["long_60s"]), "duration_s"] == pytest.approx(60.0)
    assert rows.loc[str(bad_files["header_only"]), "sample_rate"] == SR  # from the header


def test_describe_audit_counts_unusable_files_by_reason(bad_files):
    text = audio.describe_audit(audio.audit(list(bad_files.values()), progress=False))
    assert text.startswith(f"Revisé {len(bad_files)} archivos: 4 no se pueden usar (")
    for reason in ("está vacío: 1", "está truncado: 1",
                   "tiene encabezado pero ninguna muestra de audio: 1",
                   "no es audio o está en un formato que no sé leer: 1"):
        assert reason in text
    assert "3 se pueden usar pero conviene mirarlos" in text and "silencio puro: 1" in text
    one_bad = audio.audit([bad_files["empty"], bad_files["silent"]], progress=False)
    assert audio.describe_audit(one_bad) == (
        "Revisé 2 archivos: 1 no se puede usar (está vacío: 1); 1 se puede usar pero conviene "
        "mirarlo (silencio puro: 1).")
    clean = audio.audit([bad_files["good"]], progress=False)
    assert audio.describe_audit(clean) == ("Revisé 1 archivo: ninguno está roto; ninguno tiene "
                                           "advertencias.")


def test_audit_in_parallel_gives_the_same_table(bad_files):
    paths = list(bad_files.values())
    serial = audio.audit(paths, progress=False)
    parallel = audio.audit(paths, n_jobs=2, progress=False)
    assert serial.equals(parallel)


def test_audit_of_a_missing_file_is_a_row_not_a_crash(tmp_path):
    table = audio.audit([tmp_path / "nada.wav"], progress=False)
    assert not table.loc[0, "ok"] and "no existe" in table.loc[0, "problem"]


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_extract_features_names_the_broken_file_and_caches_nothing_half_written(
        bad_files, tmp_path, n_jobs):
    broken = bad_files["truncated"]
    paths = [bad_files["good"], bad_files["stereo_44k"], broken, bad_files["short_10ms"]]
    pipe = audio.MFCCPipeline(max_frames=40)
    cache = tmp_path / "cache"
    with pytest.raises(AudioFileError) as info:
        audio.extract_features(paths, pipe, n_jobs=n_jobs, cache=cache, progress=False)
    assert str(broken) in str(info.value) and "truncado" in str(info.value)
    written = [p for p in cache.rglob("*") if p.is_file()]
    assert not [p for p in written if p.name.startswith("batch-") or p.suffix != ".npy"]
    for p in written:  # every cached file is whole
        assert np.load(p).shape == pipe.output_shape
    # without the broken file the same call works and reuses what was cached
    ok = [p for p in paths if p != broken]
    features = audio.extract_features(ok, pipe, n_jobs=n_jobs, cache=cache, progress=False)
    assert features.shape == (3, *pipe.output_shape)


def test_other_extractor_errors_say_which_file(bad_files):
    def failing(path):
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom") as info:
        audio.extract_features([bad_files["good"]], failing, progress=False)
    notes = getattr(info.value, "__notes__", None)
    if notes is not None:  # Python 3.11+
        assert str(bad_files["good"]) in notes[0]


def test_mp3_is_read_by_soundfile(tmp_path):
    if "MP3" not in sf.available_formats():
        pytest.skip("this libsndfile has no MP3 support")
    path = tmp_path / "clip.mp3"
    sf.write(path, _tone(1.0), SR)
    y = audio.load(path, sr=SR)
    assert abs(len(y) - SR) < SR * 0.1 and np.all(np.isfinite(y))
    assert audio.audit([path], progress=False).loc[0, "ok"]

"""Speech-like audio from a source-filter model, shared by the audio twins.

A voice is a glottal pulse train (pitch ``f0`` with jitter and shimmer, a declining intonation
contour with accents) plus aspiration noise, shaped by a cascade of formant resonators whose
frequencies follow phone targets and glide between them. Fricatives and stop bursts add band-limited
noise. Speakers differ the way people do: pitch, vocal-tract length (all formants scaled together),
speaking rate, breathiness, spectral tilt and small per-formant offsets. Words differ through their
phone sequence: formant trajectories, voicing, bursts and frication.

This is not a speech synthesizer for listening pleasure; it produces signals whose classes are
learnable for the same acoustic reasons as in the real datasets.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from scipy.fft import next_fast_len
from scipy.signal import butter, lfilter, sosfilt

FRAME_SECONDS = 0.005  # control rate of the tracks
BLOCK_FRAMES = 2  # the resonators are updated every BLOCK_FRAMES control frames (10 ms)
NEUTRAL_FORMANTS = (500.0, 1500.0, 2500.0)

# Noise bands (Hz) for frication, bursts and aspiration; clipped to the Nyquist frequency.
BANDS: dict[str, tuple[float, float]] = {
    "s": (4200.0, 7800.0),  # alveolar sibilant
    "sh": (2200.0, 4800.0),  # postalveolar sibilant
    "f": (1200.0, 7500.0),  # weak, flat labiodental / dental
    "x": (900.0, 2600.0),  # velar / uvular fricatives
    "lab": (300.0, 1600.0),  # labial burst (diffuse, low)
    "alv": (3000.0, 7000.0),  # alveolar burst (high)
    "vel": (1500.0, 3200.0),  # velar burst (compact, mid)
}


@dataclass(frozen=True)
class Phone:
    """Acoustic targets of one phone (formant values for an adult male voice)."""

    kind: str  # vowel | approx | nasal | tap | fric | stop | pause
    formants: tuple[float, float, float] | None = None
    end: tuple[float, float, float] | None = None  # glide target (diphthongs)
    voice: float = 0.0  # voicing amplitude
    noise: float = 0.0  # frication / burst amplitude
    band: str | None = None
    aspiration: float = 0.0  # aspiration noise through the formants (h, aspirated stops)
    bw: float = 1.0  # bandwidth factor of F1 (nasality widens it)
    dur: float = 0.08  # typical duration, seconds


def _v(f1: float, f2: float, f3: float, dur: float = 0.12, **kw) -> Phone:
    return Phone("vowel", (f1, f2, f3), voice=1.0, dur=dur, **kw)


def _d(a: tuple[float, float, float], b: tuple[float, float, float], dur: float = 0.2) -> Phone:
    return Phone("vowel", a, end=b, voice=1.0, dur=dur)


PHONES: dict[str, Phone] = {
    # Vowels (English, Spanish, French, Japanese). Values near published adult-male averages.
    "i": _v(280, 2250, 3000), "ɪ": _v(390, 1990, 2550), "e": _v(440, 2000, 2650),
    "ɛ": _v(550, 1800, 2500), "æ": _v(660, 1720, 2410), "a": _v(720, 1250, 2500),
    "ɑ": _v(730, 1090, 2440), "ɔ": _v(570, 850, 2400), "o": _v(460, 860, 2450),
    "ʊ": _v(440, 1020, 2240), "u": _v(300, 870, 2240), "ɯ": _v(330, 1350, 2400),
    "ʌ": _v(640, 1190, 2390), "ə": _v(500, 1450, 2450, dur=0.06), "ɝ": _v(490, 1350, 1690),
    "y": _v(290, 1800, 2150), "ø": _v(390, 1500, 2250), "œ": _v(520, 1450, 2350),
    "ɑ̃": _v(650, 1050, 2500, bw=2.2), "ɔ̃": _v(500, 830, 2400, bw=2.2),
    "ɛ̃": _v(600, 1650, 2500, bw=2.2),
    "i̥": Phone("vowel", (300, 2200, 3000), aspiration=0.35, dur=0.06),  # devoiced (Japanese)
    "ɯ̥": Phone("vowel", (350, 1350, 2400), aspiration=0.35, dur=0.06),
    # Diphthongs.
    "aɪ": _d((730, 1150, 2450), (380, 2000, 2600)), "eɪ": _d((520, 1850, 2500), (320, 2200, 2900)),
    "oʊ": _d((560, 950, 2400), (380, 850, 2300)), "aʊ": _d((730, 1250, 2450), (420, 900, 2300)),
    "ɔɪ": _d((560, 850, 2400), (390, 1950, 2600)),
    # Approximants, nasals, taps.
    "l": Phone("approx", (360, 1100, 2700), voice=0.55, dur=0.06),
    "ɹ": Phone("approx", (420, 1200, 1600), voice=0.55, dur=0.07),
    "w": Phone("approx", (300, 700, 2200), voice=0.5, dur=0.06),
    "j": Phone("approx", (280, 2250, 3000), voice=0.5, dur=0.06),
    "m": Phone("nasal", (260, 1000, 2200), voice=0.3, bw=2.5, dur=0.07),
    "n": Phone("nasal", (260, 1500, 2500), voice=0.3, bw=2.5, dur=0.07),
    "ŋ": Phone("nasal", (260, 2000, 2700), voice=0.3, bw=2.5, dur=0.08),
    "ɲ": Phone("nasal", (260, 2100, 2800), voice=0.3, bw=2.5, dur=0.08),
    "ɾ": Phone("tap", (420, 1300, 2500), voice=0.25, dur=0.03),
    "r": Phone("tap", (420, 1300, 2500), voice=0.25, dur=0.09),  # trill: rendered as 3 taps
    # Fricatives.
    "s": Phone("fric", noise=0.35, band="s", dur=0.1), "z": Phone("fric", voice=0.25, noise=0.25, band="s", dur=0.08),
    "ʃ": Phone("fric", noise=0.4, band="sh", dur=0.1), "ʒ": Phone("fric", voice=0.25, noise=0.28, band="sh", dur=0.08),
    "f": Phone("fric", noise=0.12, band="f", dur=0.09), "v": Phone("fric", voice=0.3, noise=0.08, band="f", dur=0.06),
    "θ": Phone("fric", noise=0.09, band="f", dur=0.09), "ð": Phone("fric", voice=0.35, noise=0.06, band="f", dur=0.05),
    "x": Phone("fric", noise=0.3, band="x", dur=0.09), "ʁ": Phone("fric", voice=0.3, noise=0.2, band="x", dur=0.07),
    "ɸ": Phone("fric", noise=0.1, band="f", dur=0.07),
    "h": Phone("fric", aspiration=0.35, dur=0.07),
    # Stops: closure, burst and (for pʰ tʰ kʰ) aspiration.
    "p": Phone("stop", noise=0.35, band="lab", dur=0.07), "b": Phone("stop", voice=0.08, noise=0.25, band="lab", dur=0.06),
    "t": Phone("stop", noise=0.45, band="alv", dur=0.07), "d": Phone("stop", voice=0.08, noise=0.3, band="alv", dur=0.06),
    "k": Phone("stop", noise=0.45, band="vel", dur=0.075), "g": Phone("stop", voice=0.08, noise=0.3, band="vel", dur=0.065),
    "pʰ": Phone("stop", noise=0.35, band="lab", aspiration=0.3, dur=0.11),
    "tʰ": Phone("stop", noise=0.45, band="alv", aspiration=0.3, dur=0.11),
    "kʰ": Phone("stop", noise=0.45, band="vel", aspiration=0.3, dur=0.115),
    "_": Phone("pause", dur=0.15),
}


@dataclass(frozen=True)
class Segment:
    """One phone to render: its symbol, duration (s) and pitch accent (relative f0 bump)."""

    phone: str
    dur: float
    accent: float = 0.0
    loud: float = 1.0


@dataclass(frozen=True)
class Voice:
    """A speaker: what stays the same across everything this person says."""

    f0: float  # mean pitch, Hz
    formant_scale: float  # vocal-tract length factor (1 adult male, ~1.17 adult female)
    rate: float = 1.0  # speaking-rate factor (>1 is faster)
    jitter: float = 0.01  # relative random perturbation of each glottal period
    shimmer: float = 0.05  # relative random perturbation of each pulse amplitude
    breathiness: float = 0.05  # aspiration noise mixed into voicing
    glottal_hz: float = 150.0  # corner of the glottal spectrum (-12 dB/octave above)
    tilt_hz: float = 3500.0  # extra one-pole low-pass (softer voices have a lower corner)
    f0_range: float = 0.15  # depth of the intonation accents (relative)
    offsets: tuple[float, float, float] = (1.0, 1.0, 1.0)  # per-formant deviations (accent)


def random_voice(rng: np.random.Generator, sex: str) -> Voice:
    """A random adult voice. ``sex`` is "M" or "F" (anything else picks one at random).

    Male: f0 85-155 Hz, formant scale 0.95-1.05; female: f0 165-255 Hz, formants 1.12-1.22 times
    higher (shorter vocal tract) and a breathier voice, the average differences seen in real speech.
    """
    if sex not in ("M", "F"):
        sex = "M" if rng.random() < 0.5 else "F"
    if sex == "M":
        f0, scale, breath = rng.uniform(85, 155), rng.uniform(0.95, 1.05), rng.uniform(0.02, 0.08)
    else:
        f0, scale, breath = rng.uniform(165, 255), rng.uniform(1.12, 1.22), rng.uniform(0.05, 0.14)
    return Voice(
        f0=float(f0), formant_scale=float(scale), rate=float(rng.uniform(0.85, 1.15)),
        jitter=float(rng.uniform(0.004, 0.02)), shimmer=float(rng.uniform(0.02, 0.08)),
        breathiness=float(breath), glottal_hz=float(rng.uniform(0.8, 1.4) * f0),
        tilt_hz=float(rng.uniform(2200, 5000)), f0_range=float(rng.uniform(0.08, 0.22)),
        offsets=tuple(float(v) for v in rng.uniform(0.96, 1.04, size=3)),  # type: ignore[arg-type]
    )


def _smooth(track: np.ndarray, width: int) -> np.ndarray:
    """Moving average along the last axis, edges padded with the edge value."""
    if width <= 1:
        return track
    kernel = np.ones(width) / width
    pad = width // 2
    padded = np.pad(track, [(0, 0)] * (track.ndim - 1) + [(pad, width - 1 - pad)], mode="edge")
    if track.ndim == 1:
        return np.convolve(padded, kernel, mode="valid")
    return np.stack([np.convolve(row, kernel, mode="valid") for row in padded])


def _tracks(segments: Sequence[Segment], n_frames: int, hop: int, sr: int):
    """Control tracks (one value per frame) from the segments."""
    formants = np.full((3, n_frames), np.nan)
    voicing = np.zeros(n_frames)
    aspiration = np.zeros(n_frames)
    bw = np.ones(n_frames)
    accent = np.zeros(n_frames)
    noise: dict[str, np.ndarray] = {}
    start = 0.0
    for seg in segments:
        ph = PHONES[seg.phone]
        a = int(round(start * sr / hop))
        b = max(a + 1, int(round((start + seg.dur) * sr / hop)))
        b = min(b, n_frames)
        start += seg.dur
        if a >= n_frames:
            break
        n = b - a
        accent[a:b] = seg.accent
        if ph.formants is not None:
            target = np.asarray(ph.formants, dtype=float)[:, None]
            if ph.end is not None:
                w = np.linspace(0.0, 1.0, n)[None, :]
                formants[:, a:b] = target * (1 - w) + np.asarray(ph.end, dtype=float)[:, None] * w
            else:
                formants[:, a:b] = target
        bw[a:b] = ph.bw
        if ph.kind == "stop":
            burst = min(3, n)  # ~15 ms of burst
            asp = min(int(round(0.045 * sr / hop)), n - burst) if ph.aspiration else 0
            close = n - burst - asp
            voicing[a:a + close] = ph.voice
            band = noise.setdefault(ph.band, np.zeros(n_frames))  # type: ignore[arg-type]
            band[a + close:a + close + burst] = ph.noise * seg.loud
            aspiration[a + close + burst:b] = ph.aspiration * seg.loud
        elif ph.kind == "tap":
            voicing[a:b] = ph.voice * seg.loud
            if seg.phone == "r":  # trill: voicing modulated at ~25 Hz
                t = np.arange(n) * hop / sr
                voicing[a:b] *= 0.5 + 0.5 * np.cos(2 * np.pi * 25 * t)
        else:
            voicing[a:b] = ph.voice * seg.loud
            aspiration[a:b] = ph.aspiration * seg.loud
            if ph.band is not None:
                band = noise.setdefault(ph.band, np.zeros(n_frames))
                band[a:b] = ph.noise * seg.loud
                band[a:min(a + 2, b)] *= 0.5
    # Consonants without formants take them from their neighbours (coarticulation).
    frames = np.arange(n_frames)
    for k in range(3):
        known = ~np.isnan(formants[k])
        if known.any():
            formants[k] = np.interp(frames, frames[known], formants[k][known])
        else:
            formants[k] = NEUTRAL_FORMANTS[k]
    formants = _smooth(formants, 5)
    return formants, _smooth(voicing, 3), _smooth(aspiration, 2), _smooth(bw, 3), accent, noise


def _pitch(voice: Voice, accent: np.ndarray, hop: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    """f0 per frame: declination, smoothed accents and slow random drift."""
    n = len(accent)
    t = np.arange(n) * hop / sr
    decl = np.linspace(0.08, -0.10, n)
    acc = _smooth(accent * voice.f0_range / 0.15, 13)
    drift = 0.03 * np.sin(2 * np.pi * rng.uniform(0.3, 1.2) * t + rng.uniform(0, 2 * np.pi))
    return voice.f0 * np.exp(decl + acc + drift)


def _glottal_source(f0: np.ndarray, voice: Voice, n: int, hop: int, sr: int,
                    rng: np.random.Generator) -> np.ndarray:
    """Pulse train with jitter and shimmer, shaped like glottal flow derivative; unit RMS."""
    max_pulses = int(n / sr * f0.max() * 1.3) + 4
    jit = rng.standard_normal(max_pulses) * voice.jitter
    shim = 1.0 + rng.standard_normal(max_pulses) * voice.shimmer
    times = np.empty(max_pulses)
    t, k = 0.0, 0
    while t < n - 2 and k < max_pulses:
        times[k] = t
        t += sr / f0[min(int(t) // hop, len(f0) - 1)] * (1.0 + jit[k])
        k += 1
    times = times[:k]
    idx = times.astype(int)
    frac = times - idx
    exc = np.zeros(n + 2)
    np.add.at(exc, idx, (1 - frac) * shim[:k])
    np.add.at(exc, idx + 1, frac * shim[:k])
    a = np.exp(-2 * np.pi * voice.glottal_hz / sr)
    src = lfilter([1.0], [1.0, -2 * a, a * a], exc[:n])
    src = np.diff(src, prepend=0.0)  # lip radiation
    c = np.exp(-2 * np.pi * min(voice.tilt_hz, 0.45 * sr) / sr)
    src = lfilter([1 - c], [1.0, -c], src)
    return src / (np.sqrt(np.mean(src**2)) + 1e-12)


def _vocal_tract(x: np.ndarray, formants: np.ndarray, bw: np.ndarray, hop: int, sr: int) -> np.ndarray:
    """Cascade of time-varying formant resonators (unity gain at 0 Hz), updated per block."""
    n = len(x)
    block = hop * BLOCK_FRAMES
    nyq = 0.45 * sr
    f4 = 3500.0 * np.median(formants[2]) / 2500.0
    y = x.copy()
    n_blocks = int(np.ceil(n / block))
    idx = np.minimum(np.arange(n_blocks) * BLOCK_FRAMES, formants.shape[1] - 1)
    freqs = [formants[0, idx], formants[1, idx], formants[2, idx], np.full(n_blocks, f4)]
    bands = [(50 + 0.06 * freqs[0]) * bw[idx], 70 + 0.05 * freqs[1], 110 + 0.04 * freqs[2],
             np.full(n_blocks, 250.0)]
    # One 8th-order filter per block (the product of the resonators): a quarter of the calls.
    a_all = np.ones((n_blocks, 1))
    gain = np.ones(n_blocks)
    for f, b in zip(freqs, bands, strict=True):
        if np.all(f >= nyq):
            continue
        f = np.minimum(f, nyq)
        c = -np.exp(-2 * np.pi * b / sr)
        bb = 2 * np.exp(-np.pi * b / sr) * np.cos(2 * np.pi * f / sr)
        gain *= 1 - bb - c
        quad = np.stack([np.ones(n_blocks), -bb, -c], axis=1)
        prod = np.zeros((n_blocks, a_all.shape[1] + 2))
        for j in range(3):  # row-wise polynomial product
            prod[:, j:j + a_all.shape[1]] += a_all * quad[:, j:j + 1]
        a_all = prod
    zi = np.zeros(a_all.shape[1] - 1)
    out = np.empty(n)
    for i in range(n_blocks):
        s = slice(i * block, min(n, (i + 1) * block))
        out[s], zi = lfilter([gain[i]], a_all[i], y[s], zi=zi)
    y = out
    return y


@lru_cache(maxsize=64)
def _band_filter(band: str, sr: int) -> np.ndarray:
    lo, hi = BANDS[band]
    hi = min(hi, 0.47 * sr)
    lo = min(lo, 0.7 * hi)
    return butter(2, [lo, hi], btype="bandpass", fs=sr, output="sos")


def _band_noise(band: str, n: int, sr: int, rng: np.random.Generator) -> np.ndarray:
    out = sosfilt(_band_filter(band, sr), rng.standard_normal(n))
    return out / (np.sqrt(np.mean(out**2)) + 1e-12)


def render(segments: Sequence[Segment], voice: Voice, sr: int, rng: np.random.Generator) -> np.ndarray:
    """Render segments with a voice. Returns float64 audio with peak 0.5 (no silence padding)."""
    segments = [Segment(s.phone, s.dur / voice.rate, s.accent, s.loud) for s in segments]
    hop = max(1, int(round(FRAME_SECONDS * sr)))
    total = sum(s.dur for s in segments)
    n = max(hop * 2, int(round(total * sr)))
    n_frames = int(np.ceil(n / hop)) + 1
    formants, voicing, aspiration, bw, accent, noise = _tracks(segments, n_frames, hop, sr)
    formants = formants * voice.formant_scale * np.asarray(voice.offsets)[:, None]
    f0 = _pitch(voice, accent, hop, sr, rng)
    frame_t = np.arange(n_frames) * hop
    samples = np.arange(n)

    def upsample(track: np.ndarray) -> np.ndarray:
        return np.interp(samples, frame_t, track)

    v = upsample(voicing)
    source = _glottal_source(f0, voice, n, hop, sr, rng) * v
    breath = rng.standard_normal(n)
    source += breath * (voice.breathiness * v + upsample(aspiration))
    speech = _vocal_tract(source, formants, bw, hop, sr)
    voiced = v > 0.5
    ref = np.sqrt(np.mean(speech[voiced] ** 2)) if voiced.any() else np.sqrt(np.mean(speech**2))
    speech = speech / (ref + 1e-12)
    for band, track in sorted(noise.items()):
        speech += _band_noise(band, n, sr, rng) * upsample(track)
    peak = np.max(np.abs(speech)) + 1e-12
    return 0.5 * speech / peak


def add_noise(audio: np.ndarray, snr_db: float, rng: np.random.Generator, color: float = 1.0) -> np.ndarray:
    """Add stationary noise at ``snr_db`` relative to the audio's active level.

    ``color`` is the spectral slope exponent: 0 white, 1 pink, 2 brown.
    """
    n = len(audio)
    m = next_fast_len(max(n, 2), real=True)
    spec = np.fft.rfft(rng.standard_normal(m))
    freqs = np.fft.rfftfreq(m)
    freqs[0] = freqs[1]
    noise = np.fft.irfft(spec / freqs ** (color / 2), m)[:n]
    noise /= np.sqrt(np.mean(noise**2)) + 1e-12
    active = np.abs(audio) > 0.05 * np.max(np.abs(audio) + 1e-12)
    level = np.sqrt(np.mean(audio[active] ** 2)) if active.any() else 1e-3
    return audio + noise * level * 10 ** (-snr_db / 20)


def pad(audio: np.ndarray, sr: int, before: float, after: float) -> np.ndarray:
    """Silence (zeros) before and after, in seconds."""
    return np.concatenate([np.zeros(int(before * sr)), audio, np.zeros(int(after * sr))])

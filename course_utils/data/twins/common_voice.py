"""Twin of Common Voice (Kaggle, English release 1), subset cv-valid-dev.

``cv-valid-dev.csv`` (columns filename,text,up_votes,down_votes,age,gender,accent,duration;
filename like ``cv-valid-dev/sample-000000.mp3``) next to the MP3s nested as in the Kaggle
download: ``cv-valid-dev/cv-valid-dev/sample-000000.mp3``. Clips come from a pool of speakers;
a speaker who gave demographics (gender male/female/other, age, accent) has them on every clip,
the others leave them empty; ``duration`` is empty, as in the real file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from pathlib import Path

from scipy.signal import resample_poly

from ._common import item_rng, resolve_params, write_audio, write_text
from .languages import english_sentence
from .voice import add_noise, pad, random_voice, render

SUBSET = "cv-valid-dev"
COLUMNS = ["filename", "text", "up_votes", "down_votes", "age", "gender", "accent", "duration"]
AGES = ["teens", "twenties", "twenties", "thirties", "thirties", "fourties", "fifties", "sixties", "seventies"]
ACCENTS = ["us", "us", "us", "england", "england", "canada", "australia", "indian", "scotland",
           "ireland", "african", "newzealand", "other"]
RENDER_SR = 16000
# Speakers' declared gender in turn (most volunteers of release 1 declared none).
GENDER_CYCLE = ["male", "female", "", "male", "female", "", "male", "", "female", "male"]
DEFAULTS = {"n_clips": 60, "n_speakers": 24, "sample_rate": 48000}


def _speaker(seed: int, k: int) -> dict:
    rng = item_rng(seed, "cv-speaker", k)
    gender = "other" if k % 29 == 28 else GENDER_CYCLE[k % len(GENDER_CYCLE)]
    sex = {"male": "M", "female": "F"}.get(gender, "M" if rng.random() < 0.6 else "F")
    labelled = gender != ""
    return {
        "voice": random_voice(rng, sex),
        "gender": gender,
        "age": AGES[int(rng.integers(len(AGES)))] if labelled and rng.random() < 0.95 else "",
        "accent": ACCENTS[int(rng.integers(len(ACCENTS)))] if labelled and rng.random() < 0.85 else "",
        "snr": rng.uniform(8, 35),  # volunteers' microphones and rooms vary a lot
    }


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write ``cv-valid-dev.csv`` and ``cv-valid-dev/cv-valid-dev/*.mp3`` into ``dataset_dir``."""
    params = resolve_params("common_voice", params, DEFAULTS)
    dataset_dir = Path(dataset_dir)
    sr = int(params["sample_rate"])
    if sr % RENDER_SR:
        raise ValueError("common_voice: sample_rate debe ser múltiplo de 16000 (16000, 32000 o 48000).")
    speakers = [_speaker(seed, k) for k in range(int(params["n_speakers"]))]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for i in range(int(params["n_clips"])):
        rng = item_rng(seed, "cv", i)
        spk = speakers[int(rng.integers(len(speakers)))]
        words, segs = english_sentence(rng, int(rng.integers(4, 9)))
        voice = replace(spk["voice"], f0=spk["voice"].f0 * rng.uniform(0.95, 1.05))
        audio = render(segs, voice, RENDER_SR, rng)
        audio = pad(audio, RENDER_SR, rng.uniform(0.2, 0.8), rng.uniform(0.2, 0.6))
        audio = add_noise(audio, spk["snr"] + rng.uniform(-3, 3), rng, color=rng.uniform(0, 2))
        audio = resample_poly(audio, sr // RENDER_SR, 1)
        name = f"sample-{i:06d}.mp3"
        write_audio(dataset_dir / SUBSET / SUBSET / name, audio * rng.uniform(0.3, 1.4), sr, "MP3")
        writer.writerow([f"{SUBSET}/{name}", " ".join(words), int(rng.integers(1, 6)),
                         int(rng.integers(0, 2)), spk["age"], spk["gender"], spk["accent"], ""])
    write_text(dataset_dir / f"{SUBSET}.csv", out.getvalue())

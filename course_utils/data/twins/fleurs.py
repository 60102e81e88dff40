"""Twin of FLEURS (es_419, fr_fr, en_us, ja_jp; dev and test).

``{lang}/audio/{split}/<number>.wav`` (16 kHz, 16-bit) and ``{lang}/{split}.tsv`` without header,
7 tab-separated columns: id, file_name, raw_transcription, transcription, characters, num_samples,
gender (MALE/FEMALE/OTHER). Each sentence id is read by several speakers and belongs to one split
only. Languages differ in rhythm and sound inventory (see ``languages``); durations spread over
about 3-20 s, with silence at both ends, and some recordings are noisy, as in the real set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ._common import item_rng, resolve_params, write_audio, write_text
from .languages import LANGUAGES, normalize, sentence
from .voice import add_noise, pad, random_voice, render

SR = 16000
SPLITS = ("dev", "test")
DEFAULTS = {"sentences_per_split": 3, "readers_per_sentence": 2, "noisy_fraction": 0.15}


def characters(transcription: str) -> str:
    """FLEURS ``characters`` column: characters separated by spaces, ``|`` between words."""
    return " ".join("|" if ch == " " else ch for ch in transcription) + " |"


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write the four languages' dev and test audio and TSV files into ``dataset_dir``."""
    params = resolve_params("fleurs", params, DEFAULTS)
    dataset_dir = Path(dataset_dir)
    for lang in LANGUAGES:
        lang_rng = item_rng(seed, "fleurs-ids", lang)
        n_ids = len(SPLITS) * int(params["sentences_per_split"])
        ids = [int(i) for i in lang_rng.choice(np.arange(1, 2010), size=n_ids, replace=False)]
        for s_i, split in enumerate(SPLITS):
            rows = []
            per = int(params["sentences_per_split"])
            for sid in sorted(ids[s_i * per:(s_i + 1) * per]):
                text_rng = item_rng(seed, "fleurs-sentence", lang, sid)
                seconds = float(np.clip(np.exp(text_rng.normal(np.log(6.5), 0.5)), 1.5, 15.0))
                raw, segs = sentence(lang, text_rng, seconds)
                transcription = normalize(raw)
                for r in range(int(params["readers_per_sentence"])):
                    rng = item_rng(seed, "fleurs", lang, sid, r)
                    gender = "FEMALE" if rng.random() < 0.5 else "MALE"
                    if rng.random() < 0.03:
                        gender = "OTHER"
                    voice = random_voice(rng, gender[0])
                    voice = replace(voice, rate=voice.rate * rng.uniform(0.9, 1.1))
                    audio = render(segs, voice, SR, rng)
                    audio = pad(audio, SR, rng.uniform(0.3, 1.2), rng.uniform(0.3, 1.5))
                    noisy = rng.random() < params["noisy_fraction"]
                    snr = rng.uniform(-2, 6) if noisy else rng.uniform(20, 40)
                    audio = add_noise(audio, snr, rng, color=rng.uniform(0, 1.5))
                    file_name = f"{int(rng.integers(10**18, 10**19, dtype=np.uint64))}.wav"
                    write_audio(dataset_dir / lang / "audio" / split / file_name, audio * rng.uniform(0.4, 1.3), SR)
                    rows.append([str(sid), file_name, raw, transcription, characters(transcription),
                                 str(len(audio)), gender])
            write_text(dataset_dir / lang / f"{split}.tsv", "".join("\t".join(r) + "\n" for r in rows))

"""Twin of Mini Speech Commands: ``mini_speech_commands/{word}/{speaker}_nohash_{n}.wav``.

Eight command words, 16 kHz int16, at most 1 s (most exactly 1 s, some shorter), the word at a
random position inside background noise. A pool of speakers (both sexes) shares the words, and
the part of the file name before ``_nohash_`` identifies the speaker, as in the real set.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ._common import hex_id, item_rng, resolve_params, write_audio, write_text
from .languages import english_segments
from .voice import add_noise, pad, random_voice, render

ROOT = "mini_speech_commands"
WORDS = ("down", "go", "left", "no", "right", "stop", "up", "yes")
SR = 16000
DEFAULTS = {"per_word": 40, "n_speakers": 12}

README = """Synthetic twin of the mini Speech Commands dataset (subset of Speech Commands v0.02,
Pete Warden, 2018, CC BY 4.0): one folder per word, 16 kHz mono 16-bit WAV files of at most
one second named {speaker}_nohash_{n}.wav. The audio is synthetic speech made by course_utils.
"""


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write the twin into ``dataset_dir / ROOT``."""
    params = resolve_params("mini_speech_commands", params, DEFAULTS)
    root = Path(dataset_dir) / ROOT
    speakers = []
    for k in range(params["n_speakers"]):
        rng = item_rng(seed, "msc-speaker", k)
        speakers.append((hex_id(rng), random_voice(rng, "F" if k % 2 else "M")))
    for word in WORDS:
        counts: dict[str, int] = {}
        for i in range(params["per_word"]):
            rng = item_rng(seed, "msc", word, i)
            speaker, voice = speakers[int(rng.integers(len(speakers)))]
            take = replace(voice, f0=voice.f0 * rng.uniform(0.9, 1.1), rate=voice.rate * rng.uniform(0.8, 1.2))
            speech = render(english_segments([word], rng), take, SR, rng)
            length = SR if rng.random() < 0.85 else int(SR * rng.uniform(0.6, 0.99))
            length = max(length, min(SR, len(speech) + SR // 20))
            speech = speech[: length - SR // 40]
            before = rng.uniform(0, (length - len(speech)) / SR)
            audio = pad(speech, SR, before, 0)
            audio = pad(audio, SR, 0, (length - len(audio)) / SR)[:length]
            audio = add_noise(audio, rng.uniform(8, 30), rng, color=rng.uniform(0, 2))
            n = counts.get(speaker, 0)
            counts[speaker] = n + 1
            write_audio(root / word / f"{speaker}_nohash_{n}.wav", audio * rng.uniform(0.3, 1.5), SR)
    write_text(root / "README.md", README)

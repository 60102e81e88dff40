"""Twin of Mini LibriSpeech dev-clean-2: ``LibriSpeech/dev-clean-2/<spk>/<chapter>/...flac``.

``<spk>-<chapter>-<utt>.flac`` (16 kHz, 16-bit FLAC) next to ``<spk>-<chapter>.trans.txt``
(upper-case transcripts), and ``LibriSpeech/SPEAKERS.TXT`` with the real header and column
padding, listing speakers of other subsets too (as the real file does; its subset for these
speakers is ``dev-clean``, not ``dev-clean-2``), including the real file's one name that contains
a ``|``. Voices alternate F and M, so sex is learnable from pitch and formants as in real speech.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ._common import item_rng, resolve_params, write_audio, write_text
from .languages import english_sentence
from .voice import add_noise, pad, random_voice, render

ROOT = "LibriSpeech"
SUBSET = "dev-clean-2"
SR = 16000
DEFAULTS = {"n_speakers": 10, "utterances_per_speaker": 8, "chapters_per_speaker": 2}

HEADER = """; Some pipe(|) separated metadata about all LibriVox readers, whose work was used
; in the corpus.
;
; The meaning of the fields in left-to-right order is as follows:
;
; reader_id: the ID of the reader in the LibriVox's database
; gender: 'F' for female, 'M' for male
; subset: the corpus subset to which the reader's audio is assigned
; duration: total number of minutes of speech by the reader, included in the corpus
; name: the name under which the reader is registered in LibriVox
;
;ID  |SEX| SUBSET           |MINUTES| NAME
"""
FIRST = {"F": ["Ada", "Beatriz", "Clara", "Dora", "Elena", "Flora", "Gloria", "Helena", "Irene", "Julia"],
         "M": ["Adrian", "Bruno", "Carlos", "Diego", "Emil", "Felix", "Gabriel", "Hugo", "Ivan", "Jonas"]}
LAST = ["Alder", "Brook", "Castell", "Dunmore", "Ellery", "Fairfax", "Grove", "Hollis", "Ingram",
        "Juniper", "Kestrel", "Lowell", "Marsh", "Norwood"]
OTHER_SUBSETS = ["train-clean-100", "train-clean-360", "train-other-500", "test-clean", "dev-other"]
# One row of the real SPEAKERS.TXT whose name contains the separator.
QUIRK_ROW = (60, "M", "train-clean-100", 20.18, "|CBW|Simon")


def speakers_row(spk: int, sex: str, subset: str, minutes: float, name: str) -> str:
    """A SPEAKERS.TXT row padded like the real file."""
    return f"{spk:<5}| {sex} | {subset:<17}| {minutes:5.2f} | {name}"


def _speakers(n: int, seed: int) -> list[tuple[int, str, str]]:
    rng = item_rng(seed, "ls-speakers")
    ids = sorted(int(i) for i in rng.choice(np.arange(100, 9000), size=n, replace=False))
    out = []
    for k, spk in enumerate(ids):
        sex = "F" if k % 2 == 0 else "M"
        name = f"{FIRST[sex][k % 10]} {LAST[int(rng.integers(len(LAST)))]}"
        out.append((spk, sex, name))
    return out


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write ``LibriSpeech/SPEAKERS.TXT`` and ``LibriSpeech/dev-clean-2``."""
    params = resolve_params("mini_librispeech", params, DEFAULTS)
    root = Path(dataset_dir) / ROOT
    speakers = _speakers(int(params["n_speakers"]), seed)
    rows = []
    for spk, sex, name in speakers:
        rng = item_rng(seed, "ls-voice", spk)
        voice = random_voice(rng, sex)
        n_chapters = max(1, int(params["chapters_per_speaker"]))
        chapters = sorted(int(c) for c in rng.choice(np.arange(10000, 300000), n_chapters, replace=False))
        snr = rng.uniform(22, 40)
        seconds = 0.0
        for c_i, chapter in enumerate(chapters):
            lines = []
            utts = range(c_i, int(params["utterances_per_speaker"]), n_chapters)
            for u_i, _ in enumerate(utts):
                rng = item_rng(seed, "ls", spk, chapter, u_i)
                n_words = max(3, int(round(rng.uniform(2.0, 5.0) / 0.5)))
                words, segs = english_sentence(rng, n_words)
                while sum(sg.dur for sg in segs) / voice.rate > 5.2 and n_words > 3:
                    n_words -= 2  # clauses overshoot the word count: keep clips under ~6 s
                    words, segs = english_sentence(rng, n_words)
                take = replace(voice, f0=voice.f0 * rng.uniform(0.95, 1.05))
                audio = render(segs, take, SR, rng)
                audio = pad(audio, SR, rng.uniform(0.1, 0.35), rng.uniform(0.1, 0.35))
                audio = add_noise(audio, snr + rng.uniform(-2, 2), rng, color=1.0)
                utt_id = f"{spk}-{chapter}-{u_i:04d}"
                write_audio(root / SUBSET / str(spk) / str(chapter) / f"{utt_id}.flac", audio * 0.8, SR, "FLAC")
                lines.append(f"{utt_id} {' '.join(words).upper()}")
                seconds += len(audio) / SR
            write_text(root / SUBSET / str(spk) / str(chapter) / f"{spk}-{chapter}.trans.txt", "\n".join(lines) + "\n")
        rows.append((spk, sex, "dev-clean", seconds / 60, name))
    taken = {r[0] for r in rows} | {QUIRK_ROW[0]}
    rng = item_rng(seed, "ls-others")
    for k in range(12):  # speakers of the other LibriSpeech subsets
        spk = int(rng.integers(10, 9000))
        if spk in taken:
            continue
        taken.add(spk)
        sex = "F" if rng.random() < 0.5 else "M"
        rows.append((spk, sex, OTHER_SUBSETS[k % len(OTHER_SUBSETS)], float(rng.uniform(8, 30)),
                     f"{FIRST[sex][k % 10]} {LAST[k % len(LAST)]}"))
    rows.append(QUIRK_ROW)
    rows.sort()
    write_text(root / "SPEAKERS.TXT", HEADER + "\n".join(speakers_row(*r) for r in rows) + "\n")

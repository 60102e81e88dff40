"""Twin of Tiny Shakespeare: one ``input.txt`` of play-like speeches.

Each speech is a ``Name:`` line followed by one to six lines of verse, with a blank line between
speeches, built from a small vocabulary and a handful of sentence patterns so that a small
character-level model can learn its spelling, its names and its rhythm.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ._common import item_rng, resolve_params, write_text

DEFAULTS = {"n_bytes": 80000}

NAMES = ["First Citizen", "Second Citizen", "MENENIUS", "MARCIUS", "KING RICHARD II", "QUEEN",
         "DUKE VINCENTIO", "ROMEO", "JULIET", "Nurse", "First Lord", "Second Lord", "GLOUCESTER",
         "LADY ANNE", "BUCKINGHAM", "Servant", "Messenger", "ESCALUS", "PETRUCHIO", "KATHARINA"]
WORDS = {
    "noun": ["lord", "king", "heart", "night", "crown", "sword", "love", "death", "blood", "heaven",
             "grace", "honour", "soul", "tongue", "eye", "hand", "father", "son", "queen", "world",
             "day", "friend", "enemy", "duke", "gentleman", "fortune", "head", "breath"],
    "adj": ["noble", "gentle", "sweet", "good", "fair", "cruel", "foul", "true", "dear", "poor",
            "proud", "royal", "wretched", "valiant", "dead", "heavy"],
    "verb": ["speak", "hear", "love", "kill", "bear", "give", "take", "know", "leave", "swear",
             "come", "sing", "stay", "weep", "pardon", "follow"],
    "adv": ["now", "here", "then", "yet", "hence", "thus", "so", "too", "well", "still"],
    "poss": ["my", "thy", "his", "her", "our", "your", "their", "this", "that", "the"],
    "addr": ["my lord", "good sir", "sweet madam", "gentle cousin", "my liege", "fair sir",
             "noble lady", "good my lord"],
}
PATTERNS = [
    "O {adj} {noun}, {verb} not {poss} {noun}!",
    "I {verb} thee, {addr}, by {poss} {adj} {noun}.",
    "What {noun} is this that {verb}s {poss} {noun}?",
    "{Poss} {noun} shall {verb} {poss} {adj} {noun} {adv}.",
    "Come, {addr}, let us {verb} {adv}.",
    "Thou art a {adj} {noun}, and {poss} {noun} is {adj}.",
    "And {adv} I {verb} {poss} {noun} with {poss} {noun};",
    "Nay, {addr}, {verb} {adv}: the {noun} is {adj}.",
    "If {poss} {noun} {verb} {poss} {noun}, then {verb} I {adv}.",
    "Why, {addr}, wilt thou {verb} {poss} {adj} {noun}?",
    "Ay, {adv}; {poss} {noun} doth {verb} the {adj} {noun},",
    "Go {adv}, and {verb} {poss} {noun} to {poss} {noun}.",
]


def _line(rng: np.random.Generator) -> str:
    pattern = PATTERNS[int(rng.integers(len(PATTERNS)))]

    def pick(kind: str) -> str:
        options = WORDS[kind]
        return options[int(rng.integers(len(options)))]

    out = ""
    rest = pattern
    while "{" in rest:
        head, tail = rest.split("{", 1)
        key, rest = tail.split("}", 1)
        word = pick(key.lower())
        out += head + (word.capitalize() if key[0].isupper() else word)
    return out + rest


def text(n_bytes: int, seed: int) -> str:
    """Speeches until the text has at least ``n_bytes`` bytes."""
    rng = item_rng(seed, "tiny_shakespeare")
    speeches: list[str] = []
    size = 0
    while size < n_bytes:
        lines = [NAMES[int(rng.integers(len(NAMES)))] + ":"]
        lines += [_line(rng) for _ in range(int(rng.integers(1, 7)))]
        speech = "\n".join(lines) + "\n"
        speeches.append(speech)
        size += len(speech.encode()) + 1
    return "\n".join(speeches)


def build(dataset_dir: Path, params: dict, seed: int) -> None:
    """Write ``input.txt`` into ``dataset_dir`` (the dataset root is the folder itself)."""
    params = resolve_params("tiny_shakespeare", params, DEFAULTS)
    write_text(Path(dataset_dir) / "input.txt", text(int(params["n_bytes"]), seed))

"""Text and phone sequences for the speech twins: an English lexicon and grammar, and
pseudo-Spanish, pseudo-French and pseudo-Japanese built from each language's syllable shapes,
sound inventory and rhythm (stress-timed English, syllable-timed Spanish and French, mora-timed
Japanese with pitch accent). Every function returns ``(text, segments)`` ready for
:func:`voice.render`.
"""

from __future__ import annotations

import numpy as np

from .voice import PHONES, Segment

VOWEL_KINDS = ("vowel",)
VOICELESS = {"p", "t", "k", "s", "ʃ", "f", "θ", "x", "h", "ɸ", "pʰ", "tʰ", "kʰ"}

# --- English -------------------------------------------------------------------------------------
# Pronunciations: phones separated by spaces, a stressed vowel carries a trailing "1".
EN_LEXICON: dict[str, str] = {
    # function words
    "the": "ð ə", "a": "ə", "of": "ə v", "and": "æ1 n d", "to": "t ə", "in": "ɪ1 n",
    "that": "ð æ1 t", "he": "h i1", "was": "w ʌ1 z", "it": "ɪ1 t", "his": "h ɪ1 z", "her": "h ɝ1",
    "with": "w ɪ1 ð", "as": "æ1 z", "for": "f ɔ1 ɹ", "had": "h æ1 d", "not": "n ɑ1 t", "she": "ʃ i1",
    "at": "æ1 t", "on": "ɑ1 n", "by": "b aɪ1", "all": "ɔ1 l", "my": "m aɪ1", "were": "w ɝ1",
    "from": "f ɹ ʌ1 m", "this": "ð ɪ1 s", "so": "s oʊ1", "they": "ð eɪ1", "but": "b ʌ1 t",
    "there": "ð ɛ1 ɹ", "when": "w ɛ1 n", "upon": "ə p ɑ1 n", "into": "ɪ1 n t u", "over": "oʊ1 v ɝ",
    "then": "ð ɛ1 n", "their": "ð ɛ1 ɹ", "we": "w i1", "i": "aɪ1", "under": "ʌ1 n d ɝ",
    # nouns
    "man": "m æ1 n", "woman": "w ʊ1 m ə n", "house": "h aʊ1 s", "day": "d eɪ1", "time": "t aɪ1 m",
    "night": "n aɪ1 t", "water": "w ɔ1 t ɝ", "light": "l aɪ1 t", "heart": "h ɑ1 ɹ t",
    "door": "d ɔ1 ɹ", "hand": "h æ1 n d", "world": "w ɝ1 l d", "voice": "v ɔɪ1 s",
    "river": "ɹ ɪ1 v ɝ", "king": "k ɪ1 ŋ", "road": "ɹ oʊ1 d", "father": "f ɑ1 ð ɝ",
    "mother": "m ʌ1 ð ɝ", "morning": "m ɔ1 ɹ n ɪ ŋ", "window": "w ɪ1 n d oʊ",
    "garden": "g ɑ1 ɹ d ə n", "letter": "l ɛ1 t ɝ", "stone": "s t oʊ1 n", "ship": "ʃ ɪ1 p",
    "fire": "f aɪ1 ɝ", "forest": "f ɔ1 ɹ ə s t", "table": "t eɪ1 b ə l", "friend": "f ɹ ɛ1 n d",
    "horse": "h ɔ1 ɹ s", "city": "s ɪ1 t i", "boy": "b ɔɪ1", "girl": "g ɝ1 l", "bridge": "b ɹ ɪ1 d ʒ",
    # adjectives
    "old": "oʊ1 l d", "little": "l ɪ1 t ə l", "good": "g ʊ1 d", "great": "g ɹ eɪ1 t",
    "long": "l ɔ1 ŋ", "dark": "d ɑ1 ɹ k", "green": "g ɹ i1 n", "young": "j ʌ1 ŋ",
    "small": "s m ɔ1 l", "white": "w aɪ1 t", "cold": "k oʊ1 l d", "quiet": "k w aɪ1 ə t",
    "silver": "s ɪ1 l v ɝ", "strange": "s t ɹ eɪ1 n d ʒ", "empty": "ɛ1 m p t i",
    # verbs (past tense)
    "walked": "w ɔ1 k t", "looked": "l ʊ1 k t", "saw": "s ɔ1", "heard": "h ɝ1 d",
    "found": "f aʊ1 n d", "turned": "t ɝ1 n d", "spoke": "s p oʊ1 k", "stood": "s t ʊ1 d",
    "left": "l ɛ1 f t", "knew": "n u1", "took": "t ʊ1 k", "opened": "oʊ1 p ə n d",
    "waited": "w eɪ1 t ɪ d", "answered": "æ1 n s ɝ d", "followed": "f ɑ1 l oʊ d",
    "came": "k eɪ1 m", "went": "w ɛ1 n t", "kept": "k ɛ1 p t", "watched": "w ɑ1 t ʃ t",
    # adverbs
    "slowly": "s l oʊ1 l i", "again": "ə g ɛ1 n", "away": "ə w eɪ1", "softly": "s ɔ1 f t l i",
    "alone": "ə l oʊ1 n", "together": "t ə g ɛ1 ð ɝ", "today": "t ə d eɪ1", "home": "h oʊ1 m",
    # digits (FSDD) and commands (Speech Commands)
    "zero": "z ɪ1 ɹ oʊ", "one": "w ʌ1 n", "two": "t u1", "three": "θ ɹ i1", "four": "f ɔ1 ɹ",
    "five": "f aɪ1 v", "six": "s ɪ1 k s", "seven": "s ɛ1 v ə n", "eight": "eɪ1 t", "nine": "n aɪ1 n",
    "down": "d aʊ1 n", "go": "g oʊ1", "no": "n oʊ1", "right": "ɹ aɪ1 t", "stop": "s t ɑ1 p",
    "up": "ʌ1 p", "yes": "j ɛ1 s",
}
_EN = {
    "det": ["the", "the", "a", "his", "her", "my", "their", "this"],
    "adj": ["old", "little", "good", "great", "long", "dark", "green", "young", "small", "white",
            "cold", "quiet", "silver", "strange", "empty"],
    "noun": ["man", "woman", "house", "day", "night", "water", "light", "heart", "door", "hand",
             "world", "voice", "river", "king", "road", "father", "mother", "morning", "window",
             "garden", "letter", "stone", "ship", "fire", "forest", "table", "friend", "horse",
             "city", "boy", "girl", "bridge"],
    "pron": ["he", "she", "they", "we", "i"],
    "vt": ["saw", "heard", "found", "took", "opened", "followed", "left", "kept", "watched"],
    "vi": ["walked", "stood", "waited", "spoke", "turned", "looked", "came", "went", "answered"],
    "adv": ["slowly", "again", "away", "softly", "alone", "together", "today", "home"],
    "prep": ["in", "on", "by", "from", "into", "over", "with", "upon", "to", "under"],
    "conj": ["and", "but", "when", "as"],
}


def _pick(rng: np.random.Generator, options: list[str]) -> str:
    return options[int(rng.integers(len(options)))]


def _np(rng: np.random.Generator) -> list[str]:
    words = [_pick(rng, _EN["det"])]
    if rng.random() < 0.45:
        words.append(_pick(rng, _EN["adj"]))
    return words + [_pick(rng, _EN["noun"])]


def _clause(rng: np.random.Generator) -> list[str]:
    subject = [_pick(rng, _EN["pron"])] if rng.random() < 0.5 else _np(rng)
    kind = int(rng.integers(4))
    if kind == 0:
        return subject + [_pick(rng, _EN["vt"])] + _np(rng)
    if kind == 1:
        return subject + [_pick(rng, _EN["vi"]), _pick(rng, _EN["adv"])]
    if kind == 2:
        return subject + [_pick(rng, _EN["vi"]), _pick(rng, _EN["prep"])] + _np(rng)
    return ["there", "was"] + _np(rng) + [_pick(rng, _EN["prep"])] + _np(rng)


def english_words(rng: np.random.Generator, n_words: int) -> list[list[str]]:
    """Clauses (lists of lowercase words) with at least ``n_words`` words in total."""
    clauses = [_clause(rng)]
    while sum(map(len, clauses)) < n_words:
        clauses.append([_pick(rng, _EN["conj"])] + _clause(rng))
    return clauses


def english_segments(words: list[str], rng: np.random.Generator, final: bool = True) -> list[Segment]:
    """Stress-timed English: long stressed syllables, reduced unstressed ones, aspirated p t k."""
    segs: list[Segment] = []
    for w_i, word in enumerate(words):
        tokens = EN_LEXICON[word].split()
        last_vowel = max(i for i, t in enumerate(tokens) if PHONES[t.rstrip("1")].kind == "vowel")
        for i, tok in enumerate(tokens):
            stressed = tok.endswith("1")
            ph = tok.rstrip("1")
            nxt = tokens[i + 1].rstrip("1") if i + 1 < len(tokens) else None
            kind = PHONES[ph].kind
            if (ph in ("p", "t", "k") and nxt is not None and PHONES[nxt].kind in ("vowel", "approx")
                    and (i == 0 or tokens[i + 1].endswith("1")) and not (i > 0 and tokens[i - 1] == "s")):
                ph = ph + "ʰ"  # aspirated before a stressed vowel or word-initially
            dur = PHONES[ph].dur * rng.uniform(0.85, 1.15)
            if kind == "vowel":
                dur *= 1.5 if stressed else 0.55
                if final and w_i == len(words) - 1 and i == last_vowel:
                    dur *= 1.4
            segs.append(Segment(ph, dur, accent=0.15 if stressed else 0.0,
                                loud=1.0 if stressed or kind != "vowel" else 0.7))
    return segs


def english_sentence(rng: np.random.Generator, n_words: int) -> tuple[list[str], list[Segment]]:
    """Words (lowercase, no punctuation) of a sentence and its segments, with phrase pauses."""
    words: list[str] = []
    segs: list[Segment] = []
    clauses = english_words(rng, n_words)
    for c_i, clause in enumerate(clauses):
        if c_i:
            segs.append(Segment("_", rng.uniform(0.12, 0.3)))
        words += clause
        segs += english_segments(clause, rng, final=True)
    return words, segs


def syllable_count(word: str) -> int:
    return sum(PHONES[t.rstrip("1")].kind == "vowel" for t in EN_LEXICON[word].split())


# --- Syllable-timed pseudo-languages -------------------------------------------------------------
# (spelling, phones) of onsets, nuclei and codas.
_ES_SIMPLE = [("", []), ("p", ["p"]), ("t", ["t"]), ("c", ["k"]), ("b", ["b"]), ("d", ["d"]),
              ("g", ["g"]), ("m", ["m"]), ("n", ["n"]), ("l", ["l"]), ("r", ["ɾ"]), ("s", ["s"]),
              ("s", ["s"]), ("f", ["f"])]
_FR_SIMPLE = [("", []), ("p", ["p"]), ("t", ["t"]), ("qu", ["k"]), ("b", ["b"]), ("d", ["d"]),
              ("m", ["m"]), ("n", ["n"]), ("l", ["l"]), ("r", ["ʁ"]), ("r", ["ʁ"]), ("s", ["s"]),
              ("ch", ["ʃ"]), ("j", ["ʒ"]), ("v", ["v"])]
ES = {
    "onsets": _ES_SIMPLE * 4 + [("ñ", ["ɲ"]), ("rr", ["r"]), ("j", ["x"]), ("ch", ["t", "ʃ"]),
                                ("ll", ["j"]), ("pr", ["p", "ɾ"]), ("tr", ["t", "ɾ"]), ("bl", ["b", "l"])],
    "nuclei": [("a", ["a"])] * 4 + [("e", ["e"])] * 4 + [("o", ["o"])] * 3 + [("i", ["i"])] * 2
    + [("u", ["u"]), ("ie", ["j", "e"]), ("ue", ["w", "e"])],
    "codas": [("", [])] * 10 + [("n", ["n"]), ("s", ["s"]), ("s", ["s"]), ("l", ["l"]), ("r", ["ɾ"])],
    "syllable": 0.105,
}
FR = {
    "onsets": _FR_SIMPLE * 4 + [("z", ["z"]), ("g", ["g"]), ("f", ["f"]), ("pr", ["p", "ʁ"]),
                                ("tr", ["t", "ʁ"]), ("gr", ["g", "ʁ"]), ("pl", ["p", "l"])],
    "nuclei": [("a", ["a"])] * 3 + [("é", ["e"])] * 2 + [("è", ["ɛ"]), ("i", ["i"]), ("o", ["o"]),
              ("au", ["ɔ"]), ("ou", ["u"]), ("u", ["y"]), ("u", ["y"]), ("eu", ["ø"]), ("e", ["ə"]),
              ("an", ["ɑ̃"]), ("on", ["ɔ̃"]), ("in", ["ɛ̃"]), ("oi", ["w", "a"])],
    "codas": [("", [])] * 12 + [("r", ["ʁ"]), ("l", ["l"])],
    "silent": [""] * 5 + ["e", "s", "t", "ent"],
    "syllable": 0.115,
}


def _syllable_timed(rng: np.random.Generator, spec: dict, n_syllables: int, lang: str):
    """Words of 1-4 syllables, fixed syllable duration; Spanish stresses the penultimate
    syllable, French lengthens the last syllable of each phrase (rise inside, fall at the end)."""
    text_words: list[str] = []
    segs: list[Segment] = []
    done = 0
    phrase_len = int(rng.integers(4, 9))
    since_pause = 0
    while done < n_syllables:
        n = int(min(rng.choice([1, 2, 2, 3, 3, 4]), max(1, n_syllables - done)))
        spelled = ""
        for s_i in range(n):
            o_sp, o_ph = spec["onsets"][int(rng.integers(len(spec["onsets"])))]
            n_sp, n_ph = spec["nuclei"][int(rng.integers(len(spec["nuclei"])))]
            c_sp, c_ph = spec["codas"][int(rng.integers(len(spec["codas"])))] if s_i == n - 1 or \
                rng.random() < 0.3 else ("", [])
            if lang == "es":
                if o_sp == "c" and n_sp[0] in "ei":
                    o_sp = "qu"
                if o_sp == "g" and n_sp[0] in "ei":
                    o_sp = "gu"
                if o_sp == "rr" and not spelled:
                    o_sp = "r"
            elif lang == "fr" and o_sp == "qu" and n_sp[0] in "aou" and rng.random() < 0.6:
                o_sp = "c"
            spelled += o_sp + n_sp + c_sp
            stressed = lang == "es" and s_i == max(0, n - 2)
            phrase_end = lang == "fr" and s_i == n - 1 and since_pause + n >= phrase_len
            last = done + s_i == n_syllables - 1
            cons = [PHONES[p].dur * 0.8 for p in o_ph + c_ph]
            vowel_dur = max(0.05, spec["syllable"] * rng.uniform(0.92, 1.08) - 0.6 * sum(cons))
            if stressed:
                vowel_dur *= 1.15
            if phrase_end or (lang == "fr" and last):
                vowel_dur *= 1.7
            accent = 0.12 if stressed else 0.0
            if lang == "fr" and (phrase_end or last):
                accent = -0.15 if last else 0.2
            for p, d in zip(o_ph, cons[:len(o_ph)], strict=True):
                segs.append(Segment(p, d, accent=accent))
            for p in n_ph:
                segs.append(Segment(p, vowel_dur if PHONES[p].kind == "vowel" else 0.05, accent=accent,
                                    loud=1.0 if stressed or lang == "fr" else 0.85))
            for p, d in zip(c_ph, cons[len(o_ph):], strict=True):
                segs.append(Segment(p, d, accent=accent))
        if lang == "fr":
            spelled += spec["silent"][int(rng.integers(len(spec["silent"])))]
        text_words.append(spelled)
        done += n
        since_pause += n
        if since_pause >= phrase_len and done < n_syllables:
            text_words[-1] += ","
            segs.append(Segment("_", rng.uniform(0.15, 0.35)))
            since_pause = 0
            phrase_len = int(rng.integers(4, 9))
    return " ".join(text_words), segs


# --- Japanese ------------------------------------------------------------------------------------
_JA_ROWS = {
    "": ("あいうえお", []), "k": ("かきくけこ", ["k"]), "s": ("さしすせそ", ["s"]),
    "t": ("たちつてと", ["t"]), "n": ("なにぬねの", ["n"]), "h": ("はひふへほ", ["h"]),
    "m": ("まみむめも", ["m"]), "r": ("らりるれろ", ["ɾ"]), "g": ("がぎぐげご", ["g"]),
    "z": ("ざじずぜぞ", ["z"]), "b": ("ばびぶべぼ", ["b"]), "p": ("ぱぴぷぺぽ", ["p"]),
}
_JA_VOWELS = ["a", "i", "ɯ", "e", "o"]
_JA_SPECIAL = {("s", "i"): ["ʃ"], ("t", "i"): ["t", "ʃ"], ("t", "ɯ"): ["t", "s"], ("h", "ɯ"): ["ɸ"],
               ("z", "i"): ["d", "ʒ"]}
JA_MORAE: list[tuple[str, list[str], str]] = []  # (kana, consonant phones, vowel)
for _row, (_kana, _cons) in _JA_ROWS.items():
    for _k, _vw in zip(_kana, _JA_VOWELS, strict=True):
        JA_MORAE.append((_k, _JA_SPECIAL.get((_row, _vw), _cons), _vw))
JA_MORAE += [("や", ["j"], "a"), ("ゆ", ["j"], "ɯ"), ("よ", ["j"], "o"), ("わ", ["w"], "a"),
             ("だ", ["d"], "a"), ("で", ["d"], "e"), ("ど", ["d"], "o")]
JA_PARTICLES = [("は", ["w"], "a"), ("が", ["g"], "a"), ("を", [], "o"), ("に", ["n"], "i"),
                ("の", ["n"], "o"), ("で", ["d"], "e"), ("と", ["t"], "o")]
JA_MORA = 0.115


def _japanese(rng: np.random.Generator, n_morae: int):
    """Mora-timed pseudo-Japanese: CV morae of equal length, moraic n, long vowels, geminates,
    devoiced i/u between voiceless consonants, and a high-low pitch accent per word."""
    text = ""
    segs: list[Segment] = []
    done = 0
    words_in_phrase = 0
    while done < n_morae:
        length = int(rng.integers(2, 5))
        morae = [JA_MORAE[int(rng.integers(len(JA_MORAE)))] for _ in range(length)]
        extras: list[tuple[str, list[str], str]] = []
        r = rng.random()
        if r < 0.2:
            extras = [("ん", ["n"], "")]
        elif r < 0.3:
            extras = [("う" if morae[-1][2] == "o" else "い", [], ":")]  # long vowel
        morae = morae + extras + [JA_PARTICLES[int(rng.integers(len(JA_PARTICLES)))]]
        kernel = int(rng.integers(0, len(morae)))  # 0: flat (heiban)
        for m_i, (kana, cons, vw) in enumerate(morae):
            text += kana
            if kernel == 0:
                accent = -0.05 if m_i == 0 else 0.1
            elif kernel == 1:
                accent = 0.2 if m_i == 0 else -0.1
            else:
                accent = -0.05 if m_i == 0 else (0.18 if m_i < kernel else -0.1)
            dur = JA_MORA * rng.uniform(0.92, 1.08)
            if vw == ":":  # lengthen the previous vowel by one mora
                prev = segs[-1]
                segs[-1] = Segment(prev.phone, prev.dur + dur, prev.accent, prev.loud)
                continue
            if vw == "":
                segs.append(Segment("n", dur, accent=accent))
                continue
            cons_dur = [PHONES[c].dur * 0.7 for c in cons]
            vowel = vw
            next_cons = morae[m_i + 1][1] if m_i + 1 < len(morae) else []
            if vw in ("i", "ɯ") and cons and cons[-1] in VOICELESS and next_cons \
                    and next_cons[0] in VOICELESS:
                vowel = vw + "\u0325"  # devoiced
            for c, d in zip(cons, cons_dur, strict=True):
                segs.append(Segment(c, d, accent=accent))
            segs.append(Segment(vowel, max(0.045, dur - sum(cons_dur)), accent=accent))
        done += len(morae)
        words_in_phrase += 1
        if words_in_phrase >= rng.integers(2, 4) and done < n_morae:
            text += "、"
            segs.append(Segment("_", rng.uniform(0.15, 0.3)))
            words_in_phrase = 0
    return text + "。", segs


# --- FLEURS-style sentences ----------------------------------------------------------------------
LANGUAGES = ("es_419", "fr_fr", "en_us", "ja_jp")
# Mean seconds per syllable (mora for Japanese) including phrase pauses, measured on generated
# sentences; turns a target duration into a sentence length.
SECONDS_PER_UNIT = {"es_419": 0.18, "fr_fr": 0.186, "en_us": 0.35, "ja_jp": 0.139}


def sentence(lang: str, rng: np.random.Generator, seconds: float) -> tuple[str, list[Segment]]:
    """A sentence of about ``seconds`` of speech (before the speaker's rate) in ``lang``.

    Returns the raw transcription (capitalised, punctuated) and the segments.
    """
    units = max(3, int(round(seconds / SECONDS_PER_UNIT[lang])))
    if lang == "en_us":
        words: list[str] = []
        segs: list[Segment] = []
        syllables = 0
        clauses: list[list[str]] = []
        while syllables < units:
            clause = (([_pick(rng, _EN["conj"])] if clauses else []) + _clause(rng))
            clauses.append(clause)
            syllables += sum(syllable_count(w) for w in clause)
        for c_i, clause in enumerate(clauses):
            if c_i:
                segs.append(Segment("_", rng.uniform(0.12, 0.3)))
            segs += english_segments(clause, rng)
            words += clause
            if c_i < len(clauses) - 1:
                words[-1] += ","
        raw = " ".join("I" if w == "i" else w for w in words)
        return raw[0].upper() + raw[1:] + ".", segs
    if lang == "ja_jp":
        return _japanese(rng, units)
    spec, code = (ES, "es") if lang == "es_419" else (FR, "fr")
    raw, segs = _syllable_timed(rng, spec, units, code)
    return raw[0].upper() + raw[1:] + ".", segs


def normalize(raw: str) -> str:
    """FLEURS-style normalised transcription: lowercase, punctuation removed."""
    kept = "".join(ch for ch in raw.lower() if ch.isalnum() or ch in " '")
    return " ".join(kept.split())

# ruff: noqa: RUF001  (the Russian words are Cyrillic on purpose)
"""Russian questions against an English index: a DevOps glossary and transliteration.

BM25 terms are Latin only, so a Russian question keeps just its identifiers
("KubePodCrashLooping", "kubectl"). ``expand`` adds English words for the Russian ones
it knows (``glossary_ru.yaml``: под → pod, откатить → rollback undo, алерт → alert, ...)
and, for the lexical side only, transliterations of the words it does not know, so a
resource name spelled in Cyrillic ("редис", "кублет") still meets its Latin spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
MAX_ENDING = 5  # letters a stem may be followed by (Russian endings; 3 after a short stem)
LONG_STEM, LONG_ENDING = 8, 7  # a long stem also takes a suffix: масштабир-ование
# Short or common words that never name a resource: not transliterated.
_FUNCTION_WORDS = frozenset(
    [
        "если",
        "когда",
        "чтобы",
        "почему",
        "какой",
        "какая",
        "какое",
        "какие",
        "каким",
        "какую",
        "через",
        "после",
        "перед",
        "между",
        "этот",
        "этого",
        "этом",
        "этой",
        "такое",
        "такой",
        "также",
        "только",
        "можно",
        "нужно",
        "нужен",
        "нужна",
        "будет",
        "было",
        "была",
        "есть",
        "нету",
        "всегда",
        "никогда",
        "сколько",
        "который",
        "которая",
        "которые",
        "которых",
        "чего",
        "всего",
    ]
)
# fmt: off
_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "h", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "sch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}
# fmt: on
_ENDINGS = ("ами", "ями", "ов", "ев", "ом", "ам", "ах", "ей", "ой", "а", "у", "е", "ы", "и")


@dataclass(frozen=True)
class Glossary:
    """Whole-word entries and stem entries, each a word -> English words."""

    words: dict[str, str]
    stems: dict[str, str]
    longest_stem: int


def _normal(word: str) -> str:
    return word.lower().replace("ё", "е")


@cache
def glossary() -> Glossary:
    """The packaged Russian glossary (read once, on first use)."""
    text = resources.files("smartops.knowledge").joinpath("glossary_ru.yaml").read_text("utf-8")
    entries = (yaml.safe_load(text) or {}).get("terms") or {}
    words: dict[str, str] = {}
    stems: dict[str, str] = {}
    for key, value in entries.items():
        for form in str(key).split("|"):
            form = _normal(form.strip())
            if form.endswith("*"):
                stems[form[:-1]] = str(value)
            elif form:
                words[form] = str(value)
    return Glossary(words, stems, max((len(s) for s in stems), default=0))


def is_russian(text: str) -> bool:
    """At least a third of the letters are Cyrillic."""
    letters = _LETTER.findall(text)
    return bool(letters) and sum(1 for c in letters if _CYRILLIC.match(c)) * 3 >= len(letters)


def lookup(word: str, table: Glossary | None = None) -> str | None:
    """English words for one Russian word: the whole word, else its longest known stem."""
    table = table or glossary()
    word = _normal(word)
    if word in table.words:
        return table.words[word]
    for size in range(min(len(word), table.longest_stem), 2, -1):
        english = table.stems.get(word[:size])
        if english is not None and len(word) - size <= _ending(size):
            return english
    return None


def _ending(stem: int) -> int:
    """How many letters may follow a stem of this length."""
    if stem >= LONG_STEM:
        return LONG_ENDING
    return MAX_ENDING if stem > 4 else 3


def transliterate(word: str) -> list[str]:
    """Latin spellings of a Cyrillic word: letter by letter, without its ending, ks -> x."""
    word = _normal(word)
    bases = [word]
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            bases.append(word[: -len(ending)])
            break
    out: list[str] = []
    for base in bases:
        latin = "".join(_LATIN.get(c, c) for c in base)
        for variant in (latin, latin.replace("ks", "x")):
            if variant not in out:
                out.append(variant)
    return out


def english_words(text: str, transliterated: bool = False) -> list[str]:
    """English words for the Russian words of ``text`` (in order, without repeats)."""
    table = glossary()
    out: list[str] = []
    for word in _WORD.findall(text):
        if not _CYRILLIC.search(word):
            continue
        english = lookup(word, table)
        if english is None and "-" in word:
            parts = [lookup(p, table) for p in word.split("-")]
            english = " ".join(p for p in parts if p) or None
        if english is not None:
            found = english.split()
        elif transliterated and len(word) >= 5 and _normal(word) not in _FUNCTION_WORDS:
            found = transliterate(word)
        else:
            found = []
        out.extend(w for w in found if w not in out)
    return out


def expand(text: str, transliterated: bool = False) -> str:
    """``text`` followed by English words for its Russian ones (unchanged if none)."""
    extra = english_words(text, transliterated)
    return f"{text} {' '.join(extra)}" if extra else text

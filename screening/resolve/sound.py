"""How Chinese text sounds: toneless pinyin letters, for catching what clerks mistype.

Clerks type by pinyin, so a typo is usually a character of the same or a close sound.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from pypinyin.pinyin_dict import pinyin_dict


@lru_cache(maxsize=1 << 16)
def sound(character: str) -> str:
    """Toneless pinyin of a character's first reading (the character itself if none)."""
    readings = pinyin_dict.get(ord(character))
    if not readings:
        return character
    first = readings.split(",")[0]
    return "".join(c for c in unicodedata.normalize("NFD", first) if not unicodedata.combining(c))


def sounds(text: str) -> str:
    """The pinyin letters of a text: 讯 (xun) and 信 (xin) differ by one letter, not one word."""
    # str.translate replaces each character in C: several times faster than joining the
    # sound of each, and names are sounded millions of times.
    return text.translate(_SOUNDS)


# Each character with a reading and its sound (others translate to themselves), built
# on import (~0.1 s) rather than on the first name sounded.
_SOUNDS = {code: sound(chr(code)) for code in pinyin_dict}

"""What makes two usernames the same name to a reader.

A username is stored in Unicode NFKC form, so fullwidth letters and other
compatibility forms become the letters they stand for. Its *key* goes further:
case-folded, with every non-ASCII character that looks like an ASCII letter or
digit (Cyrillic ``і``, dotless ``ı``, small capitals, Greek capitals...)
replaced by that letter, following the confusables data of Unicode TR39 as
packaged by ``confusable_homoglyphs``. Two accounts can never have the same key,
so nobody can register ``аdmin`` (Cyrillic a) next to ``admin``.
"""

import unicodedata
from functools import cache, lru_cache

_SEARCH_DEPTH = 4  # a homoglyph of a homoglyph (ᴀ → Cherokee Ꭺ → A) is still a look-alike


def username_normalize(name: str) -> str:
    return unicodedata.normalize("NFKC", name.strip())


@cache
def _confusables() -> dict[str, list[dict[str, str]]]:
    """Unicode's confusables table, loaded the first time a non-ASCII name is compared.

    About 10,000 entries: the task service, which compares no names, never holds it.
    """
    from confusable_homoglyphs.confusables import confusables_data

    return confusables_data


@lru_cache(maxsize=8192)
def _ascii_twin(character: str) -> str:
    """The ASCII letter or digit ``character`` is confusable with (lower case), else itself."""
    seen, frontier = {character}, [character]
    for _ in range(_SEARCH_DEPTH):
        following = []
        for candidate in frontier:
            for variant in dict.fromkeys(
                [candidate, candidate.casefold(), candidate.lower(), candidate.upper()]
            ):
                for twin in [variant, *(entry["c"] for entry in _confusables().get(variant, []))]:
                    if len(twin) == 1 and twin.isascii() and twin.isalnum():
                        return twin.lower()
                    if twin not in seen:
                        seen.add(twin)
                        following.append(twin)
        frontier = following
    return character


def _without_latin_accents(text: str) -> str:
    """Drop accents from ASCII letters (ü → u), as MySQL's accent-insensitive collation compares them."""
    kept: list[str] = []
    for character in unicodedata.normalize("NFKD", text):
        if unicodedata.combining(character) and kept and kept[-1].isascii():
            continue
        kept.append(character)
    return unicodedata.normalize("NFC", "".join(kept))


def username_key(name: str) -> str:
    """The form two usernames share when a reader could take one for the other."""
    folded = username_normalize(name).casefold()
    twins = "".join(c if c.isascii() else _ascii_twin(c) for c in folded)
    return _without_latin_accents(twins)

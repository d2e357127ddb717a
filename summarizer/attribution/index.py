"""An article's name mentions indexed by surname and by name, for lookups that read a few."""

from __future__ import annotations

import bisect

from summarizer.attribution.names import Mention, name_tokens

__all__ = ["MentionIndex"]


class MentionIndex:
    """The article's mentions grouped so that each lookup reads a few, not all of them.

    Resolving a name or building an actor used to scan every mention in the article, once per
    quote and per statement: quadratic on long articles. The groups keep document order, so
    every lookup returns what that scan did.
    """

    def __init__(self, text: str, mentions: list[Mention]) -> None:
        self._text = text
        self.ends = [m.end for m in mentions]  # increasing: capitalised runs never overlap
        self._by_surname: dict[str, list[Mention]] = {}
        self._by_name: dict[str, list[Mention]] = {}
        self._fuller: dict[tuple[str, ...], list[Mention]] = {}  # by the tokens looked up
        self._tokens: dict[str, tuple[str, ...]] = {}  # each name's content words, in order
        self._words: dict[str, frozenset[str]] = {}  # and as a set
        self._names_by_surname: dict[str, list[str]] = {}
        for m in mentions:
            self._by_name.setdefault(m.name, []).append(m)
            tokens = name_tokens(m.name)
            if tokens:
                self._by_surname.setdefault(tokens[-1], []).append(m)
                if m.name not in self._tokens:
                    self._tokens[m.name], self._words[m.name] = tokens, frozenset(tokens)
                    self._names_by_surname.setdefault(tokens[-1], []).append(m.name)

    def nearest_fuller(self, tokens: tuple[str, ...], pos: int) -> Mention | None:
        """The nearest mention with the same surname and more words, all of ``tokens`` among them.

        Nearest means the last one starting at or before ``pos``, else the first after it.
        """
        fuller = self._fuller.get(tokens)
        if fuller is None:
            wanted = frozenset(tokens)
            fuller = [
                m
                for m in self._by_surname.get(tokens[-1], ())
                if len(self._tokens[m.name]) > len(tokens) and wanted <= self._words[m.name]
            ]
            self._fuller[tokens] = fuller
        if not fuller:
            return None
        split = bisect.bisect_right(fuller, pos, key=_start)
        return fuller[split - 1] if split else fuller[0]

    def first_role(self, name: str) -> str | None:
        """The role of the first mention of ``name`` that has one."""
        return next((m.role for m in self._by_name.get(name, ()) if m.role), None)

    def aliases(self, name: str, key: str) -> list[str]:
        """How ``name`` is written in the text, and other names whose words all occur in ``key``."""
        words = frozenset(key.split())
        found = {self._text[m.start : m.end] for m in self._by_name.get(name, ())}
        # A name whose words all occur in ``words`` has its surname among them: looking up each
        # word as a surname reads those candidates only, not every name in the article.
        found.update(
            other
            for word in words
            for other in self._names_by_surname.get(word, ())
            if other != name and self._words[other] <= words
        )
        return sorted(found)


def _start(mention: Mention) -> int:
    return mention.start

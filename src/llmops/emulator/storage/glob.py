"""Cloud Storage's `matchGlob` in linear time.

`*` matches within one path segment, `**` across segments (a `**` segment also matches no
segment: `a/**/c` matches `a/c`), `?` one character other than `/`,
`[abc]`, `[a-z]` and `[!a]` one character of a set, `{a,b}` one of several literal alternatives,
and `\\` escapes the next character. A pattern is matched by simulating its automaton over the
set of reachable positions (no backtracking), so every name costs O(len(name) * len(pattern))
whatever the pattern: twenty-four `**` cost what one does.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.errors import LlmopsError

MAX_PATTERN_LENGTH = 1024
MAX_ALTERNATIVES = 256


class GlobError(LlmopsError):
    """A malformed matchGlob (answered as 400 invalid)."""

    reason = "invalid"


@dataclass(frozen=True)
class _Token:
    kind: str  # "lit", "any" (?), "set", "star" (*), "dstar" (**), "skip" (before a `**/` segment)
    chars: frozenset[str] = frozenset()
    ranges: tuple[tuple[str, str], ...] = ()
    negate: bool = False

    def accepts(self, c: str) -> bool:
        if self.kind == "any":
            return c != "/"
        inside = c in self.chars or any(lo <= c <= hi for lo, hi in self.ranges)
        if self.kind == "set":
            return c != "/" and inside != self.negate
        return inside  # "lit"


class Glob:
    """A compiled matchGlob; `match(name)` says whether the whole name matches."""

    def __init__(self, pattern: str):
        if len(pattern) > MAX_PATTERN_LENGTH:
            raise GlobError(
                f"Invalid matchGlob: longer than {MAX_PATTERN_LENGTH} characters", fix="use a shorter pattern"
            )
        self.pattern = pattern
        self.alternatives = [_tokens(p) for p in _expand_braces(pattern)]

    def match(self, name: str) -> bool:
        return any(_run(tokens, name) for tokens in self.alternatives)


_SLASH = _Token("lit", frozenset("/"))


def _bad(pattern: str, why: str) -> GlobError:
    return GlobError(f"Invalid matchGlob {pattern[:200]!r}: {why}", fix="see Cloud Storage's matchGlob syntax")


def _expand_braces(pattern: str) -> list[str]:
    """`a{b,c}d` -> [`abd`, `acd`]; nested braces are refused, as Cloud Storage does."""
    out = [""]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out = [o + pattern[i : i + 2] for o in out]
            i += 2
            continue
        if c != "{":
            out = [o + c for o in out]
            i += 1
            continue
        end = pattern.find("}", i + 1)
        if end < 0:
            raise _bad(pattern, "'{' is not closed")
        body = pattern[i + 1 : end]
        if "{" in body:
            raise _bad(pattern, "nested '{' is not supported")
        choices = body.split(",")
        if len(out) * len(choices) > MAX_ALTERNATIVES:
            raise _bad(pattern, f"more than {MAX_ALTERNATIVES} alternatives")
        out = [o + choice for o in out for choice in choices]
        i = end + 1
    return out


def _tokens(pattern: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                j = i
                while pattern.startswith("*", j):
                    j += 1
                segment = (not tokens or tokens[-1] == _SLASH) and pattern.startswith("/", j)
                if not (tokens and tokens[-1].kind == "dstar"):
                    if segment:
                        tokens.append(_Token("skip"))
                    tokens.append(_Token("dstar"))
                i = j
            else:
                if not (tokens and tokens[-1].kind in ("star", "dstar")):
                    tokens.append(_Token("star"))
                i += 1
        elif c == "?":
            tokens.append(_Token("any"))
            i += 1
        elif c == "[":
            token, i = _char_set(pattern, i)
            tokens.append(token)
        elif c == "\\":
            if i + 1 >= len(pattern):
                raise _bad(pattern, "it ends with a lone '\\'")
            tokens.append(_Token("lit", frozenset(pattern[i + 1])))
            i += 2
        else:
            tokens.append(_Token("lit", frozenset(c)))
            i += 1
    return tokens


def _char_set(pattern: str, start: int) -> tuple[_Token, int]:
    i = start + 1
    negate = i < len(pattern) and pattern[i] in "!^"
    if negate:
        i += 1
    chars: set[str] = set()
    ranges: list[tuple[str, str]] = []
    first = True
    while True:
        if i >= len(pattern):
            raise _bad(pattern, "'[' is not closed")
        c = pattern[i]
        if c == "]" and not first:
            break
        if c == "\\" and i + 1 < len(pattern):
            c = pattern[i + 1]
            i += 1
        if i + 2 < len(pattern) and pattern[i + 1] == "-" and pattern[i + 2] != "]":
            hi = pattern[i + 2]
            if hi < c:
                raise _bad(pattern, f"the range {c}-{hi} is reversed")
            ranges.append((c, hi))
            i += 3
        else:
            chars.add(c)
            i += 1
        first = False
    return _Token("set", frozenset(chars), tuple(ranges), negate), i + 1


def _run(tokens: list[_Token], name: str) -> bool:
    """Whether `tokens` match all of `name`: the set of reachable token positions, one step per character."""
    end = len(tokens)

    def closure(states: set[int]) -> set[int]:
        # A star may match nothing: being before it means being after it too. A "skip" marks a
        # `**` that is a whole path segment: it may also match no segment, jumping past `**/`.
        out = set(states)
        todo = list(states)
        while todo:
            s = todo.pop()
            if s >= end:
                continue
            kind = tokens[s].kind
            nexts = (s + 1, s + 3) if kind == "skip" else (s + 1,) if kind in ("star", "dstar") else ()
            for n in nexts:
                if n not in out:
                    out.add(n)
                    todo.append(n)
        return out

    states = closure({0})
    for c in name:
        nxt: set[int] = set()
        for s in states:
            if s == end:
                continue
            tok = tokens[s]
            if tok.kind == "dstar" or (tok.kind == "star" and c != "/"):
                nxt.add(s)
            elif tok.kind not in ("star", "dstar", "skip") and tok.accepts(c):
                nxt.add(s + 1)
        if not nxt:
            return False
        states = closure(nxt)
    return end in states

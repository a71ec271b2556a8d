"""The nodes of a statement's tree, listed by one walk and read by every search until the tree
changes.

Each rewrite searches the whole statement for the nodes it acts on, and most searches find
none: a 100-column SELECT whose FLOAT64 products carry their overflow checks is a tree of 5,600
nodes, walked about 130 times, four in five of them for types it does not hold. `find_all` reads
a census of the tree instead, taken again only when the tree changed since: sqlglot caches each
node's hash and clears it, up to the root, whenever the tree under the node changes (`set`,
`append`, `replace`, `pop`: every change its API makes), so a root whose hash is still cached is
a tree unchanged since its census hashed it.
"""

from __future__ import annotations

import itertools
import threading
from typing import TypeVar

from sqlglot import exp

E = TypeVar("E", bound=exp.Expr)


class Census:
    """The nodes of `tree` in the order of its `walk()` (breadth first), and where each type's are."""

    def __init__(self, tree: exp.Expr) -> None:
        self.tree = tree
        self.nodes = breadth_first(tree)
        self.positions: dict[type, list[int]] = {}
        for i, node in enumerate(self.nodes):
            self.positions.setdefault(type(node), []).append(i)
        try:
            hash(tree)  # caches every node's hash: the mark that the tree is unchanged
        except (TypeError, AssertionError):
            pass  # an argument sqlglot cannot hash: each search takes its own census
        self.hashed = tree._hash

    def current(self) -> bool:
        """Whether the tree is as it was when counted (hashed again since a change, its hash
        differs)."""
        return self.hashed is not None and self.tree._hash == self.hashed

    def find_all(self, *types: type[E]) -> list[E]:
        """The nodes of `types` (or of a subclass), breadth first."""
        found = [p for t, p in self.positions.items() if issubclass(t, types)]
        if not found:
            return []
        positions = found[0] if len(found) == 1 else sorted(itertools.chain.from_iterable(found))
        return [self.nodes[i] for i in positions]  # type: ignore[misc]


def breadth_first(tree: exp.Expr) -> list[exp.Expr]:
    """The nodes of `tree` in the order of its `walk()`."""
    order = [tree]
    for node in order:  # grows while it is read: each node's children join the end
        for value in node.args.values():
            if isinstance(value, exp.Expr):
                order.append(value)
            elif type(value) is list:
                order.extend([v for v in value if isinstance(v, exp.Expr)])
    return order


_latest = threading.local()
"""The census a thread took last (a translation searches one statement at a time)."""


def find_all(tree: exp.Expr, *types: type[E]) -> list[E]:
    """`list(tree.find_all(*types))`, read from a census of `tree` when it is unchanged since."""
    census: Census | None = getattr(_latest, "census", None)
    if census is None or census.tree is not tree or not census.current():
        census = _latest.census = Census(tree)
    return census.find_all(*types)


def forget() -> None:
    """Drop this thread's census (and with it the tree it holds)."""
    _latest.census = None

"""A conversation's turns as a tree: paths, versions and ancestors, from rows already loaded."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, Protocol, TypeVar


class Node(Protocol):
    """What the tree reads of a turn."""

    pk: int
    parent_id: int | None


N = TypeVar("N", bound=Node)


class TurnTree(Generic[N]):
    """The turns of one conversation, linked by parent; versions are siblings, oldest first."""

    def __init__(self, turns: Iterable[N]) -> None:
        self.by_id: dict[int, N] = {}
        self.children: dict[int | None, list[N]] = {}
        for turn in sorted(turns, key=lambda t: t.pk):
            self.by_id[turn.pk] = turn
            self.children.setdefault(turn.parent_id, []).append(turn)

    def versions(self, turn: N) -> list[int]:
        """The ids of the turn's versions (itself included), oldest first."""
        return [sibling.pk for sibling in self.children.get(turn.parent_id, [])]

    def newest_leaf(self, turn_id: int | None) -> N | None:
        """The end of the branch below a turn (None: from the start), taking newest versions."""
        turn = self.by_id.get(turn_id) if turn_id is not None else None
        while self.children.get(turn.pk if turn else None):
            turn = self.children[turn.pk if turn else None][-1]
        return turn

    def ancestors(self, turn_id: int | None) -> list[N]:
        """The turn and the turns before it, first message first ([] for None or an unknown id)."""
        line: list[N] = []
        turn = self.by_id.get(turn_id) if turn_id is not None else None
        while turn is not None and len(line) < len(self.by_id):
            line.append(turn)
            turn = self.by_id.get(turn.parent_id) if turn.parent_id is not None else None
        return line[::-1]

    def path(self, leaf_id: int | None) -> list[N]:
        """The branch on screen: up to the leaf, or the newest versions when it is unknown."""
        if leaf_id not in self.by_id:
            newest = self.newest_leaf(None)
            leaf_id = newest.pk if newest else None
        return self.ancestors(leaf_id)

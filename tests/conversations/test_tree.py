"""The turn tree: versions, paths and ancestors over plain nodes."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.tree import TurnTree


@dataclass
class Node:
    pk: int
    parent_id: int | None


def tree_of(*links: tuple[int, int | None]) -> TurnTree[Node]:
    return TurnTree(Node(pk, parent) for pk, parent in links)


# 1 ─ 2 ─ 3          (2 and 4 are versions of one turn; 3 and 5 of the next)
#   ├ 4 ─ 6
#   └ 7
#   and 2 ─ 5
TREE = [(1, None), (2, 1), (3, 2), (4, 1), (5, 2), (6, 4), (7, 1)]


def ids(nodes: list[Node]) -> list[int]:
    return [node.pk for node in nodes]


def test_versions_are_siblings_oldest_first():
    tree = tree_of(*reversed(TREE))
    assert tree.versions(tree.by_id[4]) == [2, 4, 7]
    assert tree.versions(tree.by_id[1]) == [1]


def test_path_to_a_leaf_runs_from_the_first_message():
    assert ids(tree_of(*TREE).path(6)) == [1, 4, 6]


def test_unknown_leaf_follows_the_newest_versions():
    assert ids(tree_of(*TREE).path(None)) == [1, 7]
    assert ids(tree_of(*TREE).path(99)) == [1, 7]


def test_newest_leaf_below_a_turn():
    tree = tree_of(*TREE)
    assert tree.newest_leaf(2).pk == 5
    assert tree.newest_leaf(3).pk == 3


def test_empty_tree():
    tree = tree_of()
    assert tree.path(None) == [] and tree.newest_leaf(None) is None


def test_ancestors_survive_a_cycle():
    assert ids(tree_of((1, 2), (2, 1)).ancestors(1)) == [2, 1]

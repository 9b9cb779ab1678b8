"""Item references resolved to the stored items they name (pure)."""

from __future__ import annotations

import pytest

from provider.errors import ApiError
from provider.references import resolve_references


def test_item_reference_resolves() -> None:
    target = {"id": "msg_9", "type": "message", "role": "user", "content": []}

    resolved = resolve_references([{"type": "item_reference", "id": "msg_9"}], {"msg_9": target})

    assert resolved == [target]


def test_unknown_item_reference_is_400() -> None:
    with pytest.raises(ApiError):
        resolve_references([{"type": "item_reference", "id": "msg_x"}], {})

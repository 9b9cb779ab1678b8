"""Where a context is cut by compaction, and what the compact endpoint keeps (pure)."""

from __future__ import annotations

from provider.generation.compaction import compacted, kept_from

USER = {"type": "message", "role": "user", "content": []}
ASSISTANT = {"type": "message", "role": "assistant", "content": []}
CMP = {"type": "compaction", "id": "cmp_1", "encrypted_content": "x"}


def test_a_context_starts_at_its_last_compaction_item() -> None:
    assert compacted([USER, CMP, ASSISTANT, CMP, USER]) == [CMP, USER]
    assert compacted([USER, ASSISTANT]) == [USER, ASSISTANT]


def test_the_newest_user_message_is_kept_verbatim() -> None:
    assert kept_from([USER, ASSISTANT, USER]) == 2
    assert kept_from([USER, ASSISTANT]) == 2

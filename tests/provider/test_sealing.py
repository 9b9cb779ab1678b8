"""Sealed compaction summaries: readable here only, under this server's key."""

from __future__ import annotations

import pytest

from provider.sealing import SealError, seal, unseal


def test_a_sealed_summary_opens_under_the_same_key() -> None:
    sealed = seal("the code is cobalt")

    assert "cobalt" not in sealed
    assert unseal(sealed) == "the code is cobalt"
    assert seal("same") != seal("same")  # a fresh nonce each time


def test_another_key_cannot_open_it(settings) -> None:
    sealed = seal("secret")
    settings.PROVIDER_COMPACTION_KEY = "another server's key"

    with pytest.raises(SealError):
        unseal(sealed)


@pytest.mark.parametrize("content", ["", "not base64!", "AAAA", None, 42])
def test_anything_else_is_refused(content: object) -> None:
    with pytest.raises(SealError):
        unseal(content)

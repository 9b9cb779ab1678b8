"""Shared fixtures: users, conversations, and a live app server with the scripted engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from tests.live import LiveServer, live_server_start


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The whole app in a daphne process (scripted engine), shared by the session."""
    server = live_server_start(data_dir=tmp_path_factory.mktemp("live-app"))
    yield server
    server.stop()


@pytest.fixture
def provider_settings(settings, live_app: LiveServer):
    """Point this process's chat side at the live app's embedded provider."""
    settings.OPENAI_BASE_URL = live_app.v1
    settings.OPENAI_API_KEY = live_app.api_key
    return settings


@pytest.fixture
def user_factory(django_user_model) -> Callable[..., object]:
    """Create users with distinct names."""
    counter = iter(range(1, 10_000))

    def create(**kwargs):
        n = next(counter)
        kwargs.setdefault("username", f"user{n}")
        kwargs.setdefault("password", "pw-for-tests-123")
        return django_user_model.objects.create_user(**kwargs)

    return create


@pytest.fixture
def conversation_factory(user_factory) -> Callable[..., object]:
    """Create conversations (for a new user unless an owner is given)."""
    from conversations.models import Conversation

    def create(**kwargs):
        kwargs.setdefault("owner", user_factory())
        return Conversation.objects.create(**kwargs)

    return create

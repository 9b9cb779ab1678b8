"""Shared fixtures: users and signed-in clients, conversations, batch runs, and a live app server
with the scripted engine."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from tests.live import LiveServer, live_server_start
from tests.samples import BATCH_CONFIG


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


@pytest.fixture
def client_factory() -> Callable[..., Client]:
    """Test clients signed in as the given user."""

    def create(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return create


@pytest.fixture
def owner(user_factory):
    """The user whose data a test works on."""
    return user_factory()


@pytest.fixture
def owner_client(owner, client_factory) -> Client:
    """A client signed in as `owner`."""
    return client_factory(owner)


@pytest.fixture
def run_factory(user_factory) -> Callable[..., object]:
    """Create queued batch runs (for a new user unless an owner is given), one item per prompt
    and configuration."""
    from batches.parsing import Prompt
    from batches.services import run_create

    def create(*, owner=None, prompts=("a", "b"), configs=(BATCH_CONFIG,), **options):
        return run_create(
            owner=owner or user_factory(),
            name=options.pop("name", "r"),
            prompts=[Prompt(input=text) for text in prompts],
            configs=list(configs),
            **options,
        )

    return create

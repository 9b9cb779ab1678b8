"""Engines: the interface (base), the local model (llama, xllamacpp), a deterministic script."""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from provider.engines.base import Engine


@cache
def get_engine() -> Engine:
    """The process-wide engine chosen by settings.PROVIDER_ENGINE (real model imported lazily)."""
    if settings.PROVIDER_ENGINE == "scripted":
        from provider.engines.scripted import ScriptedEngine

        return ScriptedEngine(
            model_name=settings.PROVIDER_MODEL_NAME,
            context_tokens=settings.PROVIDER_CONTEXT_TOKENS,
        )
    if settings.PROVIDER_ENGINE == "llama":
        from provider.engines.llama import LlamaEngine

        return LlamaEngine.from_settings()
    raise ImproperlyConfigured(f"Unknown PROVIDER_ENGINE {settings.PROVIDER_ENGINE!r}")

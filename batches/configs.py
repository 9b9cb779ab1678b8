"""The sweep: models x temperatures x instructions x reasoning effort x output limit, and the
request body and cache key of one prompt under one configuration."""

from __future__ import annotations

import hashlib
import itertools
import json
from typing import Any

REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high")
# Keys of a body that change the answer (the cache key); store/background/stream do not.
ANSWER_KEYS = (
    "model",
    "instructions",
    "input",
    "temperature",
    "reasoning",
    "max_output_tokens",
    "text",
)
# The settings of one configuration, in the order of the sweep and of the downloads' columns.
CONFIG_KEYS = ("model", "temperature", "instructions", "reasoning_effort", "max_output_tokens")
INSTRUCTIONS_SEPARATOR = "---"


class ConfigError(ValueError):
    """A configuration list cannot be read."""


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def models_parse(*, text: str) -> list[str]:
    """Comma-separated model ids (at least one)."""
    models = list(dict.fromkeys(_split(text)))
    if not models:
        raise ConfigError("name at least one model")
    return models


def temperatures_parse(*, text: str) -> list[float | None]:
    """Comma-separated temperatures between 0 and 2; none given means the provider's default."""
    values: list[float | None] = []
    for part in _split(text):
        try:
            value = float(part)
        except ValueError as exc:
            raise ConfigError(f"{part!r} is not a number") from exc
        if not 0 <= value <= 2:
            raise ConfigError(f"temperature {part} is outside 0-2")
        values.append(value)
    return list(dict.fromkeys(values)) or [None]


def instructions_parse(*, text: str) -> list[str]:
    """Instructions variants, separated by a line holding only `---`."""
    variants, current = [], []
    for line in text.splitlines():
        if line.strip() == INSTRUCTIONS_SEPARATOR:
            variants.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    variants.append("\n".join(current).strip())
    kept = [variant for variant in variants if variant]
    return kept or [""]


def efforts_parse(*, text: str) -> list[str | None]:
    """Comma-separated reasoning efforts; none given leaves reasoning out."""
    efforts = _split(text.lower())
    for effort in efforts:
        if effort not in REASONING_EFFORTS:
            raise ConfigError(f"reasoning effort {effort!r} is not one of {REASONING_EFFORTS}")
    return list(dict.fromkeys(efforts)) or [None]


def limits_parse(*, text: str) -> list[int | None]:
    """Comma-separated output token limits (positive integers); none given means no limit."""
    limits: list[int | None] = []
    for part in _split(text):
        if not part.isdigit() or int(part) < 1:
            raise ConfigError(f"output limit {part!r} is not a positive whole number")
        limits.append(int(part))
    return list(dict.fromkeys(limits)) or [None]


def config_product(
    *,
    models: list[str],
    temperatures: list[float | None],
    instructions: list[str],
    efforts: list[str | None],
    limits: list[int | None],
) -> list[dict[str, Any]]:
    """Every combination, as the dicts a run stores (models vary slowest)."""
    return [
        dict(zip(CONFIG_KEYS, combination, strict=True))
        for combination in itertools.product(models, temperatures, instructions, efforts, limits)
    ]


def config_label(*, config: dict[str, Any], index: int, instructions: list[str]) -> str:
    """A short name for a configuration's column: model, then what varies."""
    parts = [config["model"]]
    if config.get("temperature") is not None:
        parts.append(f"t={config['temperature']:g}")
    if len(instructions) > 1:
        parts.append(f"instructions {instructions.index(config['instructions']) + 1}")
    if config.get("reasoning_effort"):
        parts.append(f"effort {config['reasoning_effort']}")
    if config.get("max_output_tokens"):
        parts.append(f"≤{config['max_output_tokens']} tokens")
    return f"#{index + 1} " + " · ".join(parts)


def request_body(
    *,
    config: dict[str, Any],
    prompt: str | list[Any],
    overrides: dict[str, Any],
    json_schema: dict[str, Any] | None,
) -> dict[str, Any]:
    """The answer-defining part of POST /responses, instructions first (the shared prefix)."""
    settings = {**config, **overrides}
    body: dict[str, Any] = {"model": settings["model"]}
    if settings.get("instructions"):
        body["instructions"] = settings["instructions"]
    body["input"] = prompt
    if settings.get("temperature") is not None:
        body["temperature"] = settings["temperature"]
    if settings.get("reasoning_effort"):
        body["reasoning"] = {"effort": settings["reasoning_effort"]}
    if settings.get("max_output_tokens"):
        body["max_output_tokens"] = settings["max_output_tokens"]
    if json_schema is not None:
        body["text"] = {
            "format": {
                "type": "json_schema",
                "name": "result",
                "schema": json_schema,
                "strict": True,
            }
        }
    return body


def cache_key(*, body: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of what decides the answer: identical requests match."""
    answer = {key: body[key] for key in ANSWER_KEYS if key in body}
    canonical = json.dumps(answer, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def tokens_estimate(*, text: str) -> int:
    """A rough token count (about four characters a token) for the preview."""
    return max(1, len(text) // 4)


def instructions_variants(*, configs: list[dict[str, Any]]) -> list[str]:
    """The distinct instructions of a run's configurations, in order."""
    return list(dict.fromkeys(config.get("instructions") or "" for config in configs))

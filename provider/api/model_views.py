"""The /v1 models endpoints and the JSON 404 for unknown /v1 routes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from provider.api.http import api_view
from provider.errors import ApiError, invalid_url

STARTED_AT = int(timezone.now().timestamp())


def _model_object() -> dict[str, Any]:
    """The one model this server serves."""
    return {
        "id": settings.PROVIDER_MODEL_NAME,
        "object": "model",
        "created": STARTED_AT,
        "owned_by": "chatsite",
    }


@api_view("GET")
async def models_list(request: HttpRequest) -> HttpResponse:
    """GET /v1/models."""
    return JsonResponse({"object": "list", "data": [_model_object()]})


@api_view("GET")
async def model_detail(request: HttpRequest, model_id: str) -> HttpResponse:
    """GET /v1/models/{id}."""
    if model_id != settings.PROVIDER_MODEL_NAME:
        raise ApiError(
            f"The model '{model_id}' does not exist.",
            status=404,
            param="model",
            code="model_not_found",
        )
    return JsonResponse(_model_object())


@api_view("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
async def unknown_route(request: HttpRequest, path: str) -> HttpResponse:
    """404 for any other /v1 path."""
    raise invalid_url(request)

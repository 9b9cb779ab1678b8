"""API errors: the exception views turn into OpenAI's `{"error": {...}}` bodies."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest


class ApiError(Exception):
    """An error answered as JSON with the spec's four error keys."""

    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers or {}
        self.message = message
        self.status = status
        self.param = param
        self.code = code
        self.error_type = error_type

    def body(self) -> dict[str, Any]:
        """The JSON body for this error."""
        return {
            "error": {
                "message": self.message,
                "type": self.error_type,
                "param": self.param,
                "code": self.code,
            }
        }


def type_name(value: object) -> str:
    """OpenAI's name for a JSON value's type, as used in `invalid_type` messages."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return "null"


def invalid_type(param: str, expected: str, value: object) -> ApiError:
    """400 for a value of the wrong JSON type."""
    return ApiError(
        f"Invalid type for '{param}': expected {expected}, but got {type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def invalid_value(param: str, value: object, allowed: list[str]) -> ApiError:
    """400 for a value outside an enum."""
    quoted = [f"'{item}'" for item in allowed]
    listing = ", ".join(quoted[:-1]) + f", and {quoted[-1]}" if len(quoted) > 1 else quoted[0]
    return ApiError(
        f"Invalid value: '{value}'. Supported values are: {listing}.",
        param=param,
        code="invalid_value",
    )


def string_length(param: str, value: str, *, low: int = 0, high: int) -> ApiError:
    """400 for a string shorter than `low` or longer than `high` characters."""
    if len(value) < low:
        got = f"a string with length {len(value)}" if value else "an empty string"
        return ApiError(
            f"Invalid '{param}': string too short. Expected a string with minimum length "
            f"{low}, but got {got} instead.",
            param=param,
            code="string_below_min_length",
        )
    return ApiError(
        f"Invalid '{param}': string too long. Expected a string with maximum length {high}, "
        f"but got a string with length {len(value)} instead.",
        param=param,
        code="string_above_max_length",
    )


def missing(param: str) -> ApiError:
    """400 for a required parameter that is absent."""
    return ApiError(
        f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def not_found(response_id: str) -> ApiError:
    """404 for a response that is unknown, deleted or was not stored."""
    return ApiError(f"Response with id '{response_id}' not found.", status=404)


def invalid_url(request: HttpRequest) -> ApiError:
    """404 for a path or method /v1 does not serve (OpenAI's wording)."""
    return ApiError(f"Invalid URL ({request.method} {request.path}).", status=404)

"""Typed errors of the provider client, each carrying the provider's `{"error": …}` body."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings

from responses_client.retries import RETRYABLE_STATUSES, retry_after

if TYPE_CHECKING:
    import httpx


class ProviderError(Exception):
    """A provider call failed; carries the HTTP status and the provider's `{"error": …}` body."""

    summary: ClassVar[str] = "The provider could not answer"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        self.message = _redact(message)
        self.status = status
        self.body = body
        # Seconds the provider asked us to wait (retry-after), for callers that pace themselves.
        self.retry_after = retry_after
        super().__init__(
            self.message if status is None else f"Error code: {status} - {self.message}"
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"

    @property
    def readable(self) -> str:
        """A sentence a person can act on."""
        return f"{self.summary}: {self.message}" if self.message else f"{self.summary}."

    @property
    def retryable(self) -> bool:
        """Whether sending the message again may succeed: not for a request the provider refuses."""
        return self.status is None or self.status in RETRYABLE_STATUSES or self.status >= 500


class BadRequestError(ProviderError):
    summary = "The provider rejected the request"


class AuthenticationError(ProviderError):
    summary = "The provider rejected the API key"


class PermissionDeniedError(ProviderError):
    summary = "The provider refused access"


class NotFoundError(ProviderError):
    summary = "The provider does not know this object"


class RateLimitedError(ProviderError):
    summary = "The provider is rate limiting requests; try again shortly"

    @property
    def retryable(self) -> bool:
        """Rate limits pass; an exhausted quota (OpenAI's 429 insufficient_quota) does not."""
        return error_code(self.body) != "insufficient_quota"


class ServerError(ProviderError):
    summary = "The provider had an internal error"


class ProviderConnectionError(ProviderError):
    summary = "Could not reach the provider"


class ProviderTimeoutError(ProviderConnectionError):
    summary = "The provider did not answer in time"


class StreamInterrupted(ProviderError):
    summary = "The connection to the provider was lost before the reply finished"


STATUS_ERRORS: dict[int, type[ProviderError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    429: RateLimitedError,
}


def _redact(text: str) -> str:
    """Remove the API key from text that might echo a request."""
    key = settings.OPENAI_API_KEY
    return text.replace(key, "[redacted]") if key else text


def error_code(body: Any) -> str | None:
    """The `code` of a provider's `{"error": …}` body, if it has one."""
    error = body.get("error") if isinstance(body, dict) else None
    return error.get("code") if isinstance(error, dict) else None


def status_error(response: httpx.Response) -> ProviderError:
    """Map an HTTP error response to its typed exception."""
    try:
        body = response.json()
    except ValueError:
        body = {
            "error": {"message": response.text[:500], "type": None, "param": None, "code": None}
        }
    error = body.get("error") if isinstance(body, dict) else None
    message = str(error.get("message") or "") if isinstance(error, dict) else ""
    status = response.status_code
    cls = ServerError if status >= 500 else STATUS_ERRORS.get(status, ProviderError)
    return cls(
        message or response.reason_phrase,
        status=status,
        body=body,
        retry_after=retry_after(response.headers),
    )

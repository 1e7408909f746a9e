"""Shared pieces of the JSON API (Django REST framework): content negotiation,
error bodies, strict strings, ids in URLs, and their OpenAPI descriptions."""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response

# DRF answers invalid input with 400; this API uses 422 Unprocessable Content.
VALIDATION_ERROR_STATUS = 422


class JSONOnlyNegotiation(DefaultContentNegotiation):
    """Answer with the view's first renderer (JSON) whatever ``Accept`` says,
    instead of 406 Not Acceptable; request bodies are negotiated as usual."""

    def select_renderer(
        self,
        request: Request,
        renderers: list[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        """The first renderer and its media type."""
        return renderers[0], renderers[0].media_type


class MethodFirstMixin:
    """A wrong method is 405 before authentication, permissions and rate limits
    are checked: DRF checks it last, so PUT without a token would be 401."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        """Refuse a method the view has no handler for, then DRF's checks."""
        method = request.method.lower()
        if method not in self.http_method_names or not hasattr(self, method):
            raise MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler with this API's bodies: 422 ``{"errors": {field: [...]}}``
    for invalid input, ``{"error": message}`` for everything else.

    Anything that is not an API error (a bug) is left to Django's handler500:
    500 ``{"error": "internal server error"}``, never a traceback.
    """
    # imported here: rest_framework.views reads the settings that name this
    # module (JSONOnlyNegotiation), so importing it above would be circular
    from rest_framework.views import exception_handler as drf_exception_handler

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        detail = exc.detail
        errors = detail if isinstance(detail, dict) else {"non_field_errors": detail}
        response.data = {"errors": errors}
        response.status_code = VALIDATION_ERROR_STATUS
    elif response.status_code == 404:  # also Django's Http404 ("No Item matches...")
        response.data = {"error": "not found"}
    else:
        data = response.data
        message = data.get("detail") if isinstance(data, dict) else None
        response.data = {"error": str(message or response.status_text).lower()}
    return response


# DRF's CharField refuses NUL characters (PostgreSQL could not store them): the
# OpenAPI document says so, so that a client (or a fuzzer) knows.
NO_NUL = "^[^\\x00]*$"


@extend_schema_field({"type": "string", "pattern": NO_NUL})
class StrictCharField(serializers.CharField):
    """A CharField that refuses numbers and other non-strings instead of casting."""

    default_error_messages = {"not_a_string": "Must be a string."}

    def to_internal_value(self, data: Any) -> str:
        """Reject anything that is not already a string."""
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class PositiveIdConverter:
    """``<positive_id:id>`` in a URL: 1 to 2**63 - 1, the range of the id columns.

    Anything else (0, -1, 1.5, abc, 99999999999999999999) matches no route,
    so it is a 404 before any query runs.
    """

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        """The id, or no match when it overflows a 64-bit integer."""
        number = int(value)
        if number > 2**63 - 1:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        """The id as written in a URL."""
        return str(value)


# OpenAPI descriptions of the error bodies, for @extend_schema(responses=...).


class ErrorSerializer(serializers.Serializer):
    """``{"error": "<message>"}``."""

    error = serializers.CharField()


class ValidationErrorSerializer(serializers.Serializer):
    """``{"errors": {"<field>": ["<message>", ...]}}``."""

    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField())
    )


_ERRORS = {
    400: (ErrorSerializer, "The body is not valid JSON."),
    401: (
        ErrorSerializer,
        "No valid bearer token: missing, unknown, revoked or expired.",
    ),
    404: (ErrorSerializer, "Not found: no such id, or not a positive 64-bit integer."),
    413: (ErrorSerializer, "The body is over 1 MiB."),
    415: (ErrorSerializer, "The body is not application/json."),
    422: (ValidationErrorSerializer, "Invalid input: the messages of each field."),
    429: (ErrorSerializer, "Too many attempts from this address; see Retry-After."),
}


def error_responses(
    *statuses: int, descriptions: dict[int, str] | None = None
) -> dict[int, OpenApiResponse]:
    """The documented error answers of an operation, by status code."""
    texts = {status: text for status, (_, text) in _ERRORS.items()} | (
        descriptions or {}
    )
    return {
        status: OpenApiResponse(_ERRORS[status][0], description=texts[status])
        for status in statuses
    }


def response_header(
    name: str, kind: type, statuses: list[int], text: str
) -> OpenApiParameter:
    """A documented response header."""
    return OpenApiParameter(
        name, kind, OpenApiParameter.HEADER, response=statuses, description=text
    )


RETRY_AFTER = response_header(
    "Retry-After", int, [429], "Seconds to wait before trying again."
)
WWW_AUTHENTICATE = response_header("WWW-Authenticate", str, [401], "Bearer")

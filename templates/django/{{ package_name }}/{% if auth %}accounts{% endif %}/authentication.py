"""``Authorization: Bearer <token>`` for Django REST framework.

DRF's own TokenAuthentication keeps one token per user, stored as is, that
never expires. Ours (models.Token) stores only a hash, and each login gets
its own token, so a logout revokes that session alone; tokens expire after
AUTH_TOKEN_TTL seconds.
"""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from .models import Token, User


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticate a request by its bearer token; ``request.auth`` is the Token."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, Token] | None:
        """The token's user, None without a bearer header, 401 for a bad token."""
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid Authorization header.")
        try:
            token = Token.find(parts[1].decode("ascii"))
        except UnicodeDecodeError:
            token = None
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid, expired or revoked token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        """Makes DRF answer 401 (not 403) when credentials are missing."""
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """``bearerAuth`` in the OpenAPI document (drf-spectacular finds it here)."""

    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: object) -> dict[str, str]:
        """HTTP bearer authentication."""
        return {"type": "http", "scheme": "bearer"}

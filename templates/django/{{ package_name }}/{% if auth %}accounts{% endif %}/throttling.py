"""Rate limits on login, register and the admin's login (DRF throttles).

Each counts ``AUTH_RATE_LIMIT`` attempts a minute per client address, apart
from the others; the next attempt within the minute is 429 with Retry-After.
The client address is the socket peer, or with BEHIND_PROXY=true the last
X-Forwarded-For entry (settings: REST_FRAMEWORK["NUM_PROXIES"]). Counts live
in Django's cache: per process with the default in-memory cache.
"""

from django.conf import settings
from django.http import HttpRequest
from rest_framework.throttling import SimpleRateThrottle


class AuthRateThrottle(SimpleRateThrottle):
    """``AUTH_RATE_LIMIT`` requests a minute per client address and ``scope``."""

    def get_rate(self) -> str:
        """Read at every request, so that tests may change the setting."""
        return f"{settings.AUTH_RATE_LIMIT}/min"

    def get_cache_key(self, request: HttpRequest, view: object) -> str:
        """Every request counts, with or without credentials."""
        return self.cache_format % {
            "scope": self.scope,
            "ident": self.get_ident(request),
        }


class LoginRateThrottle(AuthRateThrottle):
    """POST /api/auth/login."""

    scope = "login"


class RegisterRateThrottle(AuthRateThrottle):
    """POST /api/auth/register."""

    scope = "register"


class AdminLoginRateThrottle(AuthRateThrottle):
    """POST /admin/login/ (admin_site.py)."""

    scope = "admin-login"

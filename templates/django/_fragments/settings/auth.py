# Users log in with their email address; the API takes bearer tokens of our own
# (accounts/models.py: only a hash is stored, each one revocable, expiring
# after AUTH_TOKEN_TTL seconds). Writes need a token, reads stay public.
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTH_TOKEN_TTL = positive_int("AUTH_TOKEN_TTL", 1_209_600)
# Attempts a minute per client address, on login, register and the admin's
# login, each counted apart (accounts/throttling.py). The counts live in the
# cache: per process unless CACHES names a shared one (Redis, Memcached).
AUTH_RATE_LIMIT = positive_int("AUTH_RATE_LIMIT", 10)
REST_FRAMEWORK |= {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "{{ package_name }}.accounts.authentication.BearerTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly"
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

"""Users (email instead of a username) and their bearer tokens."""

import hashlib
import secrets
from datetime import timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


def normalize_email(email: str) -> str:
    """Emails are unique regardless of case: they are stored lower-cased."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    """Creates users and superusers from an email and a password."""

    use_in_migrations = True

    def _create_user(
        self, email: str, password: str | None, **extra_fields: Any
    ) -> "User":
        if not email:
            raise ValueError("Users need an email address.")
        user = self.model(email=normalize_email(email), **extra_fields)
        user.set_password(password)  # None: an unusable password
        user.save(using=self._db)
        return user

    def create_user(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        """An ordinary account."""
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(
        self, email: str, password: str | None = None, **extra_fields: Any
    ) -> "User":
        """An account with every permission (``manage.py createsuperuser``)."""
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        if not extra_fields["is_staff"] or not extra_fields["is_superuser"]:
            raise ValueError("A superuser needs is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        """Look users up by email in any case (login, createsuperuser)."""
        return self.get(email=normalize_email(username or ""))


class User(AbstractBaseUser, PermissionsMixin):
    """An account. Admin pages need ``is_staff``."""

    email = models.EmailField("email address", unique=True)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Whether the user can log into the admin site.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Unselect this instead of deleting accounts.",
    )
    date_joined = models.DateTimeField("date joined", default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = "user"
        verbose_name_plural = "users"

    def __str__(self) -> str:
        return self.email

    def clean(self) -> None:
        """Normalize the email as the manager does (admin forms call this)."""
        super().clean()
        self.email = normalize_email(self.email)


def hash_token(token: str) -> str:
    """The form a token is stored in: its SHA-256 hex digest.

    Tokens are 256 random bits, so a fast unsalted hash is enough; a leaked
    database then does not hand out working tokens.
    """
    return hashlib.sha256(token.encode()).hexdigest()


class Token(models.Model):
    """One API session: a login makes one, a logout deletes it, and it stops
    working ``AUTH_TOKEN_TTL`` seconds after the login."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"token of {self.user} from {self.created_at:%Y-%m-%d %H:%M}"

    @classmethod
    def issue(cls, user: User) -> tuple[str, "Token"]:
        """Store a new token for ``user``; return it (the only time it is seen)
        with its record. The user's expired tokens are deleted on the way."""
        now = timezone.now()
        cls.objects.filter(user=user, expires_at__lte=now).delete()
        token = secrets.token_urlsafe(32)
        record = cls.objects.create(
            user=user,
            key_hash=hash_token(token),
            expires_at=now + timedelta(seconds=settings.AUTH_TOKEN_TTL),
        )
        return token, record

    @classmethod
    def find(cls, token: str) -> "Token | None":
        """The unexpired stored token matching ``token``, with its user, if any."""
        return (
            cls.objects.select_related("user")
            .filter(key_hash=hash_token(token), expires_at__gt=timezone.now())
            .first()
        )

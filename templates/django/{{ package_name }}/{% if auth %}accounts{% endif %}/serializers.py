"""Validation of registrations and logins, and the JSON of their answers."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..api import StrictCharField
from .models import User, normalize_email


class RegisterSerializer(serializers.Serializer):
    """A new account: an email not registered yet (trimmed and lower-cased),
    and a password of 8-128 characters, kept as sent, that Django's password
    validators accept (not too common, not all digits, not like the email)."""

    email = serializers.EmailField(max_length=254)
    password = StrictCharField(
        write_only=True, trim_whitespace=False, min_length=8, max_length=128
    )

    def validate_email(self, value: str) -> str:
        """Lower-case the email and refuse one that is taken (in any case)."""
        email = normalize_email(value)
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError("This email is already registered.")
        return email

    def validate_password(self, value: str) -> str:
        """Django's password validators (settings.AUTH_PASSWORD_VALIDATORS)."""
        email = self.initial_data.get("email")
        user = User(email=email) if isinstance(email, str) else None
        try:
            password_validation.validate_password(value, user)
        except DjangoValidationError as error:
            raise serializers.ValidationError(list(error.messages)) from error
        return value

    def create(self, validated_data: dict[str, Any]) -> User:
        """Save the account with a hashed password."""
        return User.objects.create_user(
            validated_data["email"], validated_data["password"]
        )


class LoginSerializer(serializers.Serializer):
    """An email and a password: two non-empty strings, taken as sent. Whether
    they match an account is the login's business (401)."""

    email = StrictCharField(trim_whitespace=False)
    password = StrictCharField(trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    """A bearer token, and when it stops working (UTC)."""

    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    """An account's email address."""

    email = serializers.EmailField()

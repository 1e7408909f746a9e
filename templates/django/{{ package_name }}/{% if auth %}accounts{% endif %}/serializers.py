"""Validation of registrations and logins, and the JSON of their answers."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..api import StrictCharField
from .models import User, normalize_email


class RegisterSerializer(serializers.Serializer):
    """``{"email", "password"}``: a new, unused email and an acceptable password.

    The email is trimmed and lower-cased; the password is kept as sent and
    must be 8-128 characters that Django's password validators accept.
    """

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
    """``{"email", "password"}``: two strings; whether they match is the view's
    business (401), so any string is accepted here."""

    email = StrictCharField(allow_blank=True)
    password = StrictCharField(allow_blank=True, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    """``{"token", "expires_at"}``: the bearer token and when it stops working."""

    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class MeSerializer(serializers.Serializer):
    """``{"email"}``."""

    email = serializers.EmailField()

"""Validation of registrations."""

from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from ..api import StrictCharField
from .models import User, normalize_email


class RegisterSerializer(serializers.Serializer):
    """``{"email", "password"}``: a new, unused email and an acceptable password."""

    email = serializers.EmailField(max_length=254)
    password = StrictCharField(write_only=True, trim_whitespace=False)

    def validate_email(self, value: str) -> str:
        """Lower-case the email and refuse one that is taken (in any case)."""
        email = normalize_email(value)
        if User.objects.filter(email=email).exists():
            raise serializers.ValidationError("This email is already registered.")
        return email

    def validate_password(self, value: str) -> str:
        """Django's password validators (AUTH_PASSWORD_VALIDATORS)."""
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

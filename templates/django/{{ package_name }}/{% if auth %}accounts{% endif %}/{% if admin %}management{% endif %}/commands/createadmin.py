"""``manage.py createadmin EMAIL``: an admin account, password from $ADMIN_PASSWORD.

Makes the account, or promotes an existing one to staff and superuser and
sets its password, so the command can run again (say, on every deploy).
"""

import os
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from ...models import User, normalize_email


class Command(BaseCommand):
    """Create or promote an admin user."""

    help = "Create (or promote) an admin user; the password comes from $ADMIN_PASSWORD."

    def add_arguments(self, parser: CommandParser) -> None:
        """One argument: the email address."""
        parser.add_argument("email", help="the admin's email address")

    def handle(self, *args: Any, **options: Any) -> None:
        """Save the admin with a hashed password."""
        email = normalize_email(options["email"])
        password = os.environ.get("ADMIN_PASSWORD", "")
        if not password:
            raise CommandError("set ADMIN_PASSWORD to the new admin's password")
        try:
            validate_email(email)
            user = User.objects.filter(email=email).first() or User(email=email)
            password_validation.validate_password(password, user)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        created = user.pk is None
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(password)
        with transaction.atomic():
            user.save()
        what = "Created" if created else "Promoted"
        self.stdout.write(f"{what} admin {email}.")

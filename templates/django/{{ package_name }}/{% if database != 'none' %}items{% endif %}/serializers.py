"""JSON form of an item, and validation of new ones."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..api import StrictCharField
from .models import Item

# What the name field accepts, exactly, so that a client (or a fuzzer) can
# tell: 1-200 characters once whitespace at both ends is trimmed, no NUL.
NAME_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "pattern": r"^\s*[^\s\x00]([^\x00]{0,198}[^\s\x00])?\s*$",
    "description": "1 to 200 characters after trimming whitespace at both ends.",
}


@extend_schema_field(NAME_SCHEMA)
class NameField(StrictCharField):
    """A string, trimmed, then 1-200 characters.

    The length is checked here rather than with ``max_length``, whose
    validator the OpenAPI document would turn into a ``maxLength`` of the
    untrimmed string.
    """

    default_error_messages = {
        "too_long": "Ensure this field has no more than {max} characters."
    }
    max_characters = 200

    def to_internal_value(self, data: object) -> str:
        """The trimmed name, if it is not too long."""
        value = super().to_internal_value(data)
        if len(value) > self.max_characters:
            self.fail("too_long", max=self.max_characters)
        return value


class ItemSerializer(serializers.ModelSerializer):
    """An item: its id, its name and when it was created."""

    name = NameField()

    class Meta:
        model = Item
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]

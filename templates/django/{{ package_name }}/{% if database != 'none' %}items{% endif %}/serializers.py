"""JSON form of an item, and validation of new ones."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..api import StrictCharField
from .models import Item

# What the name field accepts, exactly: 1-200 characters once leading and
# trailing whitespace is trimmed (so a client can check before sending).
NAME_SCHEMA = {
    "type": "string",
    "minLength": 1,
    "pattern": r"^\s*\S([\s\S]{0,198}\S)?\s*$",
    "description": "1 to 200 characters after trimming whitespace at both ends.",
}


@extend_schema_field(NAME_SCHEMA)
class NameField(StrictCharField):
    """A string, trimmed, then 1-200 characters."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_length=200, trim_whitespace=True, **kwargs)


class ItemSerializer(serializers.ModelSerializer):
    """``{"id", "name", "created_at"}``."""

    name = NameField()

    class Meta:
        model = Item
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]

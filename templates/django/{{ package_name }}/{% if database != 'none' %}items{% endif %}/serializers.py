"""JSON form of an item, and validation of new ones."""

from rest_framework import serializers

from ..api import StrictCharField
from .models import Item


class ItemSerializer(serializers.ModelSerializer):
    """``{"id", "name", "created_at"}``; ``name`` is a string of 1-200 characters."""

    # kept as sent: leading and trailing spaces are part of the name
    name = StrictCharField(max_length=200, trim_whitespace=False)

    class Meta:
        model = Item
        fields = ["id", "name", "created_at"]
        read_only_fields = ["id", "created_at"]

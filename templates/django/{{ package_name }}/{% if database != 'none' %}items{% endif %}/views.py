"""/api/items: list, create, show and delete items.

Who may call what is set in settings.REST_FRAMEWORK (with auth: writes need a
bearer token, reads are public).
"""

from django.shortcuts import get_object_or_404
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import json_object
from .models import Item
from .serializers import ItemSerializer


class ItemList(APIView):
    """GET: every item, oldest first. POST ``{"name"}``: a new item (201)."""

    def get(self, request: Request) -> Response:
        """List the items."""
        return Response(ItemSerializer(Item.objects.all(), many=True).data)

    def post(self, request: Request) -> Response:
        """Create an item; 422 with the errors when the body is invalid."""
        serializer = ItemSerializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class ItemDetail(APIView):
    """GET: one item. DELETE: remove it (204). Unknown ids are 404."""

    def get(self, request: Request, pk: int) -> Response:
        """Show an item."""
        return Response(ItemSerializer(get_object_or_404(Item, pk=pk)).data)

    def delete(self, request: Request, pk: int) -> Response:
        """Delete an item."""
        get_object_or_404(Item, pk=pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

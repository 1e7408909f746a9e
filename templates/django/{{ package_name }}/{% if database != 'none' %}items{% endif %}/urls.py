"""Routes of the items API (mounted under /api/)."""

from django.urls import path, register_converter

from ..api import PositiveIdConverter
from . import views

register_converter(PositiveIdConverter, "positive_id")

urlpatterns = [
    path("items", views.ItemList.as_view(), name="item-list"),
    path("items/<positive_id:id>", views.ItemDetail.as_view(), name="item-detail"),
]

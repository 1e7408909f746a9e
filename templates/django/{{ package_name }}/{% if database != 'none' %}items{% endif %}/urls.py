"""Routes of the items API (mounted under /api/)."""

from django.urls import path

from . import views

urlpatterns = [
    path("items", views.ItemList.as_view(), name="item-list"),
    path("items/<int:pk>", views.ItemDetail.as_view(), name="item-detail"),
]

"""/api/auth: register, login, me and logout."""

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..api import json_object
from .models import Token
from .serializers import RegisterSerializer


class Register(APIView):
    """POST ``{"email", "password"}``: a new account (201 ``{"email"}``)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        """Create the account; 422 for a bad or taken email or a weak password."""
        serializer = RegisterSerializer(data=json_object(request))
        serializer.is_valid(raise_exception=True)
        try:
            with transaction.atomic():
                user = serializer.save()
        except IntegrityError as error:  # registered meanwhile by another request
            raise ValidationError(
                {"email": ["This email is already registered."]}
            ) from error
        return Response({"email": user.email}, status=status.HTTP_201_CREATED)


class Login(APIView):
    """POST ``{"email", "password"}``: a new bearer token (200 ``{"token"}``)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request: Request) -> Response:
        """Check the credentials and issue a token; 401 when they are wrong."""
        data = json_object(request)
        email, password = data.get("email"), data.get("password")
        user = None
        if isinstance(email, str) and isinstance(password, str):
            user = authenticate(request, username=email, password=password)
        if user is None:
            return Response(
                {"detail": "Invalid email or password."},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        return Response({"token": Token.issue(user)})


class Me(APIView):
    """GET: the account the bearer token belongs to (``{"email"}``)."""

    permission_classes = [IsAuthenticated]

    def get(self, request: Request) -> Response:
        """Who am I."""
        return Response({"email": request.user.email})


class Logout(APIView):
    """POST: revoke the bearer token of this request (204)."""

    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        """Delete the token; the user's other tokens keep working."""
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

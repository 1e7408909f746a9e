"""/api/auth: register, login, me and logout."""

from django.contrib.auth import authenticate
from django.db import IntegrityError, transaction
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from ..api import RETRY_AFTER, WWW_AUTHENTICATE, MethodFirstMixin, error_responses
from .models import Token
from .serializers import (
    LoginSerializer,
    MeSerializer,
    RegisterSerializer,
    TokenSerializer,
)
from .throttling import LoginRateThrottle, RegisterRateThrottle


@extend_schema(
    summary="Register an account",
    responses={201: MeSerializer, **error_responses(400, 413, 415, 422, 429)},
    parameters=[RETRY_AFTER],
)
class Register(MethodFirstMixin, generics.CreateAPIView):
    """POST ``{"email", "password"}``: a new account (201 ``{"email"}``)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [RegisterRateThrottle]
    serializer_class = RegisterSerializer

    def perform_create(self, serializer: BaseSerializer) -> None:
        """Save; an email registered meanwhile by another request is a 422 too."""
        try:
            with transaction.atomic():
                serializer.save()
        except IntegrityError as error:
            raise ValidationError(
                {"email": ["This email is already registered."]}
            ) from error


class Login(MethodFirstMixin, APIView):
    """POST ``{"email", "password"}``: a new bearer token and its expiry."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [LoginRateThrottle]

    @extend_schema(
        summary="Log in: a new bearer token",
        request=LoginSerializer,
        responses={
            200: TokenSerializer,
            **error_responses(
                400,
                401,
                413,
                415,
                422,
                429,
                descriptions={401: "Wrong email or password, or an inactive account."},
            ),
        },
        parameters=[RETRY_AFTER],
    )
    def post(self, request: Request) -> Response:
        """Issue a token; 401 when the email or the password is wrong.

        Django's ModelBackend hashes the password even for an unknown email,
        so both cases take the same time and do not tell which emails exist.
        """
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request,
            username=serializer.validated_data["email"],
            password=serializer.validated_data["password"],
        )
        if user is None:
            return Response(
                {"error": "invalid email or password"},
                status=status.HTTP_401_UNAUTHORIZED,
                headers={"WWW-Authenticate": 'Bearer realm="api"'},
            )
        token, record = Token.issue(user)
        return Response(
            TokenSerializer({"token": token, "expires_at": record.expires_at}).data
        )


class Me(MethodFirstMixin, APIView):
    """GET: the account the bearer token belongs to (``{"email"}``)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="The account of this token",
        responses={200: MeSerializer, **error_responses(401)},
        parameters=[WWW_AUTHENTICATE],
    )
    def get(self, request: Request) -> Response:
        """Who am I."""
        return Response(MeSerializer(request.user).data)


class Logout(MethodFirstMixin, APIView):
    """POST: revoke the bearer token of this request (204)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="Log out: revoke this token",
        request=None,
        responses={204: None, **error_responses(401)},
        parameters=[WWW_AUTHENTICATE],
    )
    def post(self, request: Request) -> Response:
        """Delete the token; the user's other tokens keep working."""
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)

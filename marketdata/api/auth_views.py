"""The JWT token endpoints (simplejwt), rate limited by the "token" scope."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework_simplejwt import views as jwt_views

# simplejwt answers a valid token with an empty JSON object (its serializer has no readable field).
TOKEN_VALID = OpenApiResponse(
    response={"type": "object", "properties": {}, "additionalProperties": False},
    description="The token is valid (an empty object).",
)


class TokenObtainPairView(jwt_views.TokenObtainPairView):
    """POST username and password: a JWT access and refresh pair (10 per minute per client)."""

    throttle_scope = "token"


class TokenRefreshView(jwt_views.TokenRefreshView):
    """POST a refresh token: a new access token and a rotated refresh token (the old one is blacklisted)."""

    throttle_scope = "token"


@extend_schema(responses={200: TOKEN_VALID})
class TokenVerifyView(jwt_views.TokenVerifyView):
    """POST a token: 200 when it is valid, 401 otherwise."""

    throttle_scope = "token"

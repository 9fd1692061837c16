"""The JWT token endpoints (simplejwt), rate limited by the "token" scope."""

from rest_framework_simplejwt import views as jwt_views


class TokenObtainPairView(jwt_views.TokenObtainPairView):
    """POST username and password: a JWT access and refresh pair (10 per minute per client)."""

    throttle_scope = "token"


class TokenRefreshView(jwt_views.TokenRefreshView):
    """POST a refresh token: a new access token and a rotated refresh token (the old one is blacklisted)."""

    throttle_scope = "token"


class TokenVerifyView(jwt_views.TokenVerifyView):
    """POST a token: 200 when it is valid, 401 otherwise."""

    throttle_scope = "token"

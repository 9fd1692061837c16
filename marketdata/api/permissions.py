"""Who may do what: reads for any authenticated user; changes and new work for curators and admins."""

from rest_framework.permissions import SAFE_METHODS, BasePermission

from marketdata.selectors import user_is_curator_or_admin


class ReadAuthenticatedWriteCurator(BasePermission):
    """Safe methods (and POSTs that only read, see `read_only_post`) for any user; the rest for curators/admins."""

    def has_permission(self, request, view):
        """Authenticated, and a curator or admin unless the request only reads."""
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in SAFE_METHODS or getattr(view, "read_only_post", False):
            return True
        return user_is_curator_or_admin(user)


class IsCuratorOrAdmin(BasePermission):
    """Only curators and admins (superusers), for any method (e.g. ingestion runs)."""

    def has_permission(self, request, view):
        """A curator or an admin."""
        return user_is_curator_or_admin(request.user)

"""Content negotiation: DRF's, answering the most common request (no preference) without parsing anything."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """A request with no query string and no Accept header (or `*/*`) gets the first renderer with its own media type,
    as DefaultContentNegotiation would after parsing both; any other request is negotiated by DRF."""

    def select_renderer(self, request, renderers, format_suffix=None):
        """(renderer, accepted media type)."""
        meta = request.META
        if (
            not format_suffix
            and not meta.get("QUERY_STRING")
            and meta.get("HTTP_ACCEPT", "*/*") == "*/*"
            and renderers
            and "*" not in renderers[0].media_type
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)

"""The filter backend of every list: a FilterSet's filters, and a 400 naming any query parameter it does not know
or that is given more than once."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


def query_parameters_once(request, names=None) -> None:
    """A 400 naming each query parameter (of `names`, or any) given more than once: one value is taken, not a list."""
    params = request.query_params
    repeated = sorted(name for name in params if (names is None or name in names) and len(params.getlist(name)) > 1)
    if repeated:
        raise ValidationError({name: ["Given more than once; give one value."] for name in repeated})


# Parameters every list takes besides its filters: the renderer's format and the pagination's own.
COMMON_QUERY_PARAMETERS = frozenset({"format"})
PAGINATION_ATTRIBUTES = ("cursor_query_param", "page_size_query_param", "ordering_query_param")


class StrictFilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that refuses unknown query parameters on the actions a FilterSet serves (list, export),
    so a misspelt or unsupported filter (`?figi=` before it existed) is a 400, not every row."""

    def filter_queryset(self, request, queryset, view):
        """The filtered rows, or a 400 naming each query parameter neither the FilterSet nor the page takes."""
        if getattr(view, "action", None) in getattr(view, "filtered_actions", ("list",)):
            filterset_class = self.get_filterset_class(view, queryset)
            if filterset_class is not None:
                known = set(filterset_class.base_filters) | COMMON_QUERY_PARAMETERS
                known |= set(getattr(view, "extra_query_parameters", {}).get(view.action, ()))
                paginator = getattr(view, "paginator", None)
                known |= {getattr(paginator, name) for name in PAGINATION_ATTRIBUTES if hasattr(paginator, name)}
                query_parameters_once(request)
                unknown = sorted(set(request.query_params) - known)
                if unknown:
                    raise ValidationError(
                        {
                            name: [f"Unknown query parameter; this list takes {', '.join(sorted(known))}."]
                            for name in unknown
                        }
                    )
        return super().filter_queryset(request, queryset, view)

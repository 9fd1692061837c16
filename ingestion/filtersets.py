"""Ingestion run filters for the API and list screens."""

import django_filters

from marketdata.filters import ApiFilterSet, any_or

from .choices import RunStatus, Source
from .models import IngestionRun


class IngestionRunFilterSet(ApiFilterSet):
    """Filter runs by source, status and file name."""

    q = django_filters.CharFilter(field_name="file_name", lookup_expr="icontains", label="file name contains")
    source = django_filters.ChoiceFilter(choices=any_or(Source.choices))
    status = django_filters.ChoiceFilter(choices=any_or(RunStatus.choices))

    class Meta:
        model = IngestionRun
        fields = []

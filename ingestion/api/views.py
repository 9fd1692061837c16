"""Ingestion run API (read-only; curators and admins)."""

from rest_framework import viewsets

from marketdata.api.pagination import IngestionRunPagination
from marketdata.api.permissions import IsCuratorOrAdmin

from ..filtersets import IngestionRunFilterSet
from ..models import IngestionRun
from .serializers import IngestionRunBriefSerializer, IngestionRunSerializer


class IngestionRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Loads, newest first: what was read, what changed, what was rejected and why."""

    queryset = IngestionRun.objects.defer("rejected_sample", "error")
    serializer_class = IngestionRunBriefSerializer
    filterset_class = IngestionRunFilterSet
    pagination_class = IngestionRunPagination
    permission_classes = [IsCuratorOrAdmin]

    def get_serializer_class(self):
        """The full record (error, rejected sample) for one run, the brief shape in lists."""
        return IngestionRunSerializer if self.action == "retrieve" else IngestionRunBriefSerializer

    def get_queryset(self):
        """Full rows for one run; lists skip the error text and rejected sample."""
        return IngestionRun.objects.all() if self.action == "retrieve" else super().get_queryset()

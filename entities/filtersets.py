"""Legal entity filters for the API and list screens."""

import django_filters
from django.db.models import Q

from marketdata.filters import ApiFilterSet, any_or

from .choices import EntityCategory, EntityStatus, RegistrationStatus
from .models import LegalEntity
from .selectors import entity_resolve

LIST_Q_CANDIDATES = 100  # name-search answers a list's `q` adds to its substring matches


class LegalEntityFilterSet(ApiFilterSet):
    """Filter legal entities by jurisdiction, status, category, country and free text."""

    q = django_filters.CharFilter(
        method="filter_q",
        label="LEI (prefix), or a legal or other name: contained, or near it (typos, legal-form variants); "
        "entities/resolve/ ranks the candidates",
    )
    jurisdiction = django_filters.CharFilter(method="filter_upper")
    status = django_filters.ChoiceFilter(field_name="entity_status", choices=any_or(EntityStatus.choices))
    registration_status = django_filters.ChoiceFilter(choices=any_or(RegistrationStatus.choices))
    category = django_filters.ChoiceFilter(choices=any_or(EntityCategory.choices))
    country = django_filters.CharFilter(method="filter_upper", field_name="legal_address_country")

    class Meta:
        model = LegalEntity
        fields = []

    def filter_q(self, queryset, name, value):
        """LEI prefix, legal name containing the text, or one of the name search's candidates."""
        text = value.strip()
        if not text:
            return queryset
        near = [candidate.entity.lei for candidate in entity_resolve(text, limit=LIST_Q_CANDIDATES, min_score=75)]
        return queryset.filter(Q(lei__startswith=text.upper()) | Q(legal_name__icontains=text) | Q(lei__in=near))

    def filter_upper(self, queryset, name, value):
        """Exact match on an upper-case code."""
        return queryset.filter(**{name: value.strip().upper()})

"""Admin base pieces: changelists that stay fast on millions of rows."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from .models import ApiKey
from .services import api_key_issue, api_key_revoke


class CappedCountPaginator(Paginator):
    """Counts at most ADMIN_COUNT_LIMIT rows (COUNT over a LIMIT subquery), never the whole table."""

    @cached_property
    def count(self):
        """The row count, stopping at the cap so a page costs the same on any table size."""
        limit = settings.ADMIN_COUNT_LIMIT
        return self.object_list[: limit + 1].count() if limit else self.object_list.count()

    @property
    def is_capped(self):
        """True when there are more rows than the count shows."""
        return settings.ADMIN_COUNT_LIMIT and self.count > settings.ADMIN_COUNT_LIMIT


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for big tables: capped counts, no full result count, read-only for analysts."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    # Field -> test of a search term: a term that passes is matched exactly on that (indexed) field,
    # since Django's "=field" search compares with UPPER()/LIKE, which no plain index serves.
    identifier_search: dict[str, Callable[[str], bool]] = {}

    def get_search_results(self, request, queryset, search_term):
        """Identifiers (ISIN, LEI, MIC) are looked up by index; other terms search the search_fields."""
        term = search_term.strip().upper()
        fields = [field for field, matches in self.identifier_search.items() if term and matches(term)]
        if not fields:
            return super().get_search_results(request, queryset, search_term)
        condition = Q()
        for field in fields:
            condition |= Q(**{field: term})
        return queryset.filter(condition), False


class ReadOnlyInline(admin.TabularInline):
    """An inline that lists related rows without editing them."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        """Related rows come from loads, not from the inline."""
        return False

    def has_change_permission(self, request, obj=None):
        """Related rows are changed on their own page."""
        return False


def code_list_filter(field: str, title: str, codes: tuple[str, ...]) -> type[admin.SimpleListFilter]:
    """A list filter offering a fixed list of codes, so that no SELECT DISTINCT runs over a big table."""

    class CodeListFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return [(code, code) for code in codes]

        def queryset(self, request, queryset):
            return queryset.filter(**{field: self.value()}) if self.value() else queryset

    CodeListFilter.title = title
    CodeListFilter.__name__ = CodeListFilter.__qualname__ = f"{field.title().replace('_', '')}Filter"
    return CodeListFilter


# Offered in filters; any other code still works through the URL (?currency=XYZ).
COMMON_CURRENCIES = tuple("EUR USD GBP CHF SEK NOK DKK PLN CZK HUF RON BGN ISK JPY CNY HKD AUD CAD SGD TRY ZAR".split())
COMMON_COUNTRIES = tuple(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IS IT LI LT LU LV MT NL NO PL PT RO SE SI SK "
    "CH GB JE GG IM US CA KY BM VG JP CN HK SG AU".split()
)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """API keys: issue one (shown once, then only its hash is kept), see when it was used, revoke it."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    search_fields = ("prefix", "name", "user__username")
    raw_id_fields = ("user",)
    fields = ("user", "name", "expires_at", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        """The owner of an issued key cannot change."""
        return self.readonly_fields + (("user",) if obj else ())

    def save_model(self, request, obj, form, change):
        """Issuing generates the key and shows it once; later saves change only the name and expiry."""
        if change:
            return super().save_model(request, obj, form, change)
        _, raw_key = api_key_issue(user=obj.user, api_key=obj)
        self.message_user(request, f"API key: {raw_key} (copy it now; it is not shown again).", messages.WARNING)

    @admin.action(description="Revoke the selected API keys")
    def revoke_selected(self, request, queryset):
        """Revoke each selected key (already revoked ones stay as they were)."""
        for api_key in queryset:
            api_key_revoke(api_key.prefix)
        self.message_user(request, f"Revoked {len(queryset)} API key(s).", messages.SUCCESS)

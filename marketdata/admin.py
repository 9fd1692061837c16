"""Admin base pieces: changelists that stay fast on millions of rows."""

from django.conf import settings
from django.contrib import admin
from django.core.paginator import Paginator
from django.utils.functional import cached_property


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

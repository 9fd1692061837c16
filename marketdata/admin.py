"""Admin base pieces: changelists that stay fast on millions of rows."""

from collections.abc import Callable

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV, XLSX
from import_export.resources import modelresource_factory

from .jobs import LOAD_FILE_TYPES, JobRefused, admin_job_start
from .models import AdminJob, ApiKey
from .services import api_key_issue, api_key_revoke

# The model list is on the index and in the breadcrumbs; without the sidebar a changelist has the page's width.
admin.site.enable_nav_sidebar = False

START_JOBS_PERMISSION = "ingestion.add_ingestionrun"  # curators and admins: those who may start loads
RUNS_PERMISSION = "ingestion.view_ingestionrun"


def table_row_estimate(model, using: str = "default") -> int | None:
    """PostgreSQL's estimate of a table's rows (pg_class.reltuples, kept by ANALYZE and autovacuum): one catalogue
    read whatever the size; None on other backends or before the table was first analysed."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] >= 0 else None


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

    @cached_property
    def estimate(self) -> int | None:
        """For an unfiltered list past the cap, the table's estimated size (PostgreSQL only), else None."""
        queryset = self.object_list
        if not self.is_capped or getattr(queryset, "query", None) is None or queryset.query.where:
            return None
        estimate = table_row_estimate(queryset.model, queryset.db)
        return estimate if estimate and estimate > settings.ADMIN_COUNT_LIMIT else None


class BlankNullJSONField(forms.JSONField):
    """A JSON form field that shows an empty value as an empty box, not as the text null (empty still saves None)."""

    def prepare_value(self, value):
        return "" if value is None else super().prepare_value(value)


class LargeTableAdmin(admin.ModelAdmin):
    """A ModelAdmin for big tables: capped counts, no full result count, read-only for analysts."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER  # facet counts run a COUNT per filter choice over the whole table
    list_per_page = 50
    formfield_overrides = {models.JSONField: {"form_class": BlankNullJSONField}}
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


class LimitedExportMixin(ExportMixin):
    """CSV and XLSX export of a changelist (its filters and search applied), at most ADMIN_EXPORT_LIMIT rows, raw
    records left out."""

    formats = [CSV, XLSX]
    export_exclude: tuple[str, ...] = ("record",)

    def get_export_resource_classes(self, request):
        """A resource of the model's own columns without the raw records."""
        return [modelresource_factory(self.model, meta_options={"exclude": self.export_exclude})]

    def get_data_for_export(self, request, queryset, **kwargs):
        """The rows to export, stopping at the limit (a message says so)."""
        limit = settings.ADMIN_EXPORT_LIMIT
        if queryset[limit : limit + 1].exists():
            self.message_user(request, f"Export stopped at {limit:,} rows (ADMIN_EXPORT_LIMIT).", messages.WARNING)
        return super().get_data_for_export(request, queryset[:limit], **kwargs)


class JobActionsMixin:
    """Admin actions that start background jobs: offered to those who may start loads, refused to the rest."""

    job_selection_limit = 10_000

    def has_start_jobs_permission(self, request):
        """Curators and admins start jobs; analysts see them, never start them."""
        return request.user.has_perm(START_JOBS_PERMISSION)

    def job_start_for_selection(self, request, kind: str, codes, code_name: str):
        """Start one job over the selected codes (ISINs or LEIs) and point to its page."""
        codes = list(codes[: self.job_selection_limit + 1])
        if len(codes) > self.job_selection_limit:
            self.message_user(request, f"Select at most {self.job_selection_limit:,} rows for a job.", messages.ERROR)
            return None
        try:
            job = admin_job_start(kind, {code_name: sorted(set(codes))}, user=request.user)
        except JobRefused as error:
            self.message_user(request, f"Not started: {error}", messages.ERROR)
            return None
        url = reverse("admin:marketdata_adminjob_change", args=[job.pk])
        self.message_user(
            request,
            format_html(
                'Started <a href="{}">{}</a> for {} {}.', url, AdminJob.Kind(kind).label, len(codes), code_name
            ),
            messages.SUCCESS,
        )
        return None


class LoadForm(forms.Form):
    """Which source to load for which date."""

    kind = forms.ChoiceField(
        label="source", choices=[(kind.value, kind.label) for kind in AdminJob.Kind if kind in LOAD_FILE_TYPES]
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), help_text="Publication date.")
    file_type = forms.ChoiceField(
        required=False,
        choices=[("", "all files of the date")]
        + [(file_type, file_type) for types in LOAD_FILE_TYPES.values() for file_type in types],
    )
    force = forms.BooleanField(required=False, help_text="Load files already loaded again.")

    def clean(self):
        """A file type that belongs to the source."""
        data = super().clean()
        kind, file_type = data.get("kind"), data.get("file_type")
        if kind and file_type and file_type not in LOAD_FILE_TYPES[AdminJob.Kind(kind)]:
            self.add_error("file_type", f"{file_type} is not a file type of {AdminJob.Kind(kind).label}.")
        return data


@admin.register(AdminJob)
class AdminJobAdmin(admin.ModelAdmin):
    """Jobs started from the admin, with their progress, outcome and runs; seen by those who see runs."""

    list_display = ("id", "kind", "status", "progress", "requested_by", "created_at", "finished_at", "run_links")
    list_filter = ("kind", "status")
    list_select_related = ("requested_by",)
    change_form_template = "admin/marketdata/adminjob/change_form.html"
    change_list_template = "admin/marketdata/adminjob/change_list.html"
    fields = (
        "kind",
        "status",
        "progress",
        "step",
        "parameters_table",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "run_links",
        "result_table",
        "error",
        "task_id",
    )
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.has_perm(RUNS_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(RUNS_PERMISSION)

    def has_add_permission(self, request):
        """Jobs are started by actions and the load form."""
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="progress")
    def progress(self, obj):
        """A progress bar with done / total (a bar without a value while the total is unknown)."""
        percent = obj.percent
        done = f"{obj.done:,}" + (f" of {obj.total:,}" if obj.total else "")
        if percent is None:
            return format_html('<progress class="md-progress"></progress> {}', done if obj.done else obj.status)
        return format_html(
            '<progress class="md-progress" max="100" value="{}"></progress> {} % ({})', percent, percent, done
        )

    @admin.display(description="runs")
    def run_links(self, obj):
        """Links to the IngestionRuns the job wrote."""
        if not obj.runs:
            return "-"
        return format_html_join(
            ", ",
            '<a href="{}">run {}</a>',
            ((reverse("admin:ingestion_ingestionrun_change", args=[pk]), pk) for pk in obj.runs),
        )

    @admin.display(description="parameters")
    def parameters_table(self, obj):
        from .admin_display import mapping_table

        return mapping_table(obj.parameters)

    @admin.display(description="result")
    def result_table(self, obj):
        from .admin_display import rows_table

        return rows_table((obj.result or {}).get("runs"))

    def get_urls(self):
        """The load form and the dashboard refresh beside the job pages."""
        view = self.admin_site.admin_view
        return [
            path("start-load/", view(self.start_load_view), name="marketdata_adminjob_start_load"),
            path(
                "refresh-dashboard/",
                view(require_POST(self.refresh_dashboard_view)),
                name="marketdata_dashboard_refresh",
            ),
        ] + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_start_jobs": request.user.has_perm(START_JOBS_PERMISSION)}
        return super().changelist_view(request, extra_context)

    def start_load_view(self, request):
        """A form to start a FIRDS, FITRS or GLEIF load for a date, as a job (curators and admins only)."""
        if not request.user.has_perm(START_JOBS_PERMISSION):
            raise PermissionDenied
        form = LoadForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            parameters = {"date": data["date"].isoformat(), "file_type": data["file_type"], "force": data["force"]}
            try:
                job = admin_job_start(data["kind"], parameters, user=request.user)
            except JobRefused as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"Started {job}.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:marketdata_adminjob_change", args=[job.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Start a load",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/marketdata/adminjob/start_load.html", context)

    def refresh_dashboard_view(self, request):
        """Queue a refresh of the dashboard's aggregates now."""
        if not request.user.has_perm(START_JOBS_PERMISSION):
            raise PermissionDenied
        from .tasks import dashboard_refresh_task

        try:
            dashboard_refresh_task.apply_async(retry=False)
        except Exception as error:
            self.message_user(request, f"The refresh could not be queued: {error}", messages.ERROR)
        else:
            self.message_user(request, "The dashboard is being recomputed.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:index"))

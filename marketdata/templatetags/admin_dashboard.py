"""Template tags of the admin index: the dashboard from its stored snapshot, and the latest failed runs."""

import datetime as dt

from django import template

from marketdata.admin_svg import loads_chart
from marketdata.dashboard import dashboard_snapshot, failed_runs_latest

register = template.Library()

RUNS_PERMISSION = "ingestion.view_ingestionrun"


@register.inclusion_tag("admin/marketdata/dashboard.html", takes_context=True)
def admin_dashboard(context):
    """Counts, coverage and (for those who see runs) the loads chart, read from the snapshot: no count runs here."""
    user = context["request"].user
    snapshot = dashboard_snapshot()
    data = snapshot.data if snapshot else {}
    show_loads = user.has_perm(RUNS_PERMISSION)
    return {
        "snapshot": snapshot,
        "data": data,
        "show_loads": show_loads,
        "loads_chart": loads_chart(data.get("loads", [])) if snapshot and show_loads else "",
        "failed_runs": failed_runs_latest() if show_loads else [],
        "can_refresh": user.has_perm("ingestion.add_ingestionrun"),
        "csrf_token": context.get("csrf_token"),
    }


@register.filter
def thousands(value):
    """1234567 -> 1,234,567."""
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return value


@register.filter
def percent(value):
    """0.1234 -> 12.3 %."""
    try:
        return f"{100 * float(value):.1f} %"
    except (TypeError, ValueError):
        return value


@register.filter
def isodate(value):
    """An ISO date-time string as YYYY-MM-DD HH:MM (UTC), '-' when empty."""
    if not value:
        return "-"
    try:
        return dt.datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return value

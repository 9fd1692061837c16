"""Pictures the admin draws on the server as inline SVG: the loads chart, listing timelines and ownership graphs.

Plain markup with classes only (colours are in the admin's own stylesheet), so the pages need no script, no inline
style and nothing from another origin.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _attrs(attributes: dict) -> str:
    return "".join(f' {name.rstrip("_").replace("_", "-")}="{escape(value)}"' for name, value in attributes.items())


def tag(name: str, *children: str, **attributes) -> str:
    """One SVG element; text children must already be escaped (use text())."""
    return f"<{name}{_attrs(attributes)}>{''.join(children)}</{name}>"


def text(value) -> str:
    """Escaped character data."""
    return str(escape(value))


def _svg(width: int, height: int, body: list[str], label: str, css_class: str) -> SafeString:
    return mark_safe(
        tag(
            "svg",
            tag("title", text(label)),
            *body,
            xmlns="http://www.w3.org/2000/svg",
            width=width,
            height=height,
            viewBox=f"0 0 {width} {height}",
            role="img",
            aria_label=label,
            class_=css_class,
        )
    )


def _short(value: str, length: int) -> str:
    return value if len(value) <= length else value[: length - 1] + "…"


def _nice_max(value: int) -> int:
    """A round number at or above value, for an axis."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return int(step * magnitude)
    return value


def _number(value: int) -> str:
    for limit, suffix in ((1_000_000_000, "G"), (1_000_000, "M"), (1_000, "k")):
        if value >= limit:
            return f"{value / limit:.3g}{suffix}"
    return str(value)


def loads_chart(days: Sequence[dict], width: int = 760) -> SafeString:
    """Records read and rejected per day (two panels, each its own scale), days with failed runs marked."""
    left, right, top = 56, 10, 18
    panel_read, panel_rejected, gap, bottom = 120, 56, 26, 24
    height = top + panel_read + gap + panel_rejected + bottom
    plot = width - left - right
    slot = plot / max(1, len(days))
    bar = max(2.0, slot * 0.7)
    read_max = _nice_max(max((day["read"] for day in days), default=0))
    rejected_max = _nice_max(max((day["rejected"] for day in days), default=0))
    rejected_top = top + panel_read + gap
    body = [
        tag("text", "records read", x=4, y=top - 6, class_="chart-caption"),
        tag("text", "rejected", x=4, y=rejected_top - 6, class_="chart-caption"),
    ]
    for y0, panel, top_value in ((top, panel_read, read_max), (rejected_top, panel_rejected, rejected_max)):
        body.append(tag("line", x1=left, x2=width - right, y1=y0 + panel, y2=y0 + panel, class_="chart-axis"))
        body.append(tag("line", x1=left, x2=width - right, y1=y0, y2=y0, class_="chart-grid"))
        body.append(tag("text", _number(top_value), x=left - 4, y=y0 + 4, class_="chart-tick chart-tick-y"))
        body.append(tag("text", "0", x=left - 4, y=y0 + panel, class_="chart-tick chart-tick-y"))
    for index, day in enumerate(days):
        x = left + index * slot + (slot - bar) / 2
        tip = f"{day['day']}: {day['read']:,} read, {day['rejected']:,} rejected, {day['runs']} runs" + (
            f", {day['failed']} failed" if day["failed"] else ""
        )
        items = [tag("title", text(tip))]
        read_height = panel_read * day["read"] / read_max
        rejected_height = panel_rejected * day["rejected"] / rejected_max
        items.append(
            tag(
                "rect",
                x=f"{x:.1f}",
                y=f"{top + panel_read - read_height:.1f}",
                width=f"{bar:.1f}",
                height=f"{read_height:.1f}",
                class_="chart-read",
            )
        )
        items.append(
            tag(
                "rect",
                x=f"{x:.1f}",
                y=f"{rejected_top + panel_rejected - rejected_height:.1f}",
                width=f"{bar:.1f}",
                height=f"{rejected_height:.1f}",
                class_="chart-rejected",
            )
        )
        if day["failed"]:
            cx, cy = x + bar / 2, top + 2
            items.append(
                tag("path", d=f"M{cx - 5:.1f},{cy} L{cx + 5:.1f},{cy} L{cx:.1f},{cy + 8} Z", class_="chart-failed")
            )
        # The whole day's column answers the hover, however small its bars.
        items.append(
            tag(
                "rect",
                x=f"{left + index * slot:.1f}",
                y=top,
                width=f"{slot:.1f}",
                height=height - top - bottom,
                class_="chart-hover",
            )
        )
        body.append(tag("g", *items, class_="chart-day" + (" chart-day-failed" if day["failed"] else "")))
        if index % 5 == 0 or index == len(days) - 1:
            body.append(
                tag(
                    "text",
                    day["day"][5:],
                    x=f"{left + index * slot + slot / 2:.1f}",
                    y=height - 6,
                    class_="chart-tick chart-tick-x",
                )
            )
    failed_days = sum(1 for day in days if day["failed"])
    label = f"Loads of the last {len(days)} days: records read and rejected per day; {failed_days} days with failures"
    return _svg(width, height, body, label, "md-chart")


@dataclass
class TimelineVersion:
    """One listing version on a timeline."""

    valid_from: dt.date
    valid_to: dt.date | None
    is_current: bool
    is_cancelled: bool
    url: str
    label: str


@dataclass
class TimelineRow:
    """One venue's versions."""

    mic: str
    venue_name: str
    versions: list[TimelineVersion] = field(default_factory=list)


def listing_timeline(rows: Sequence[TimelineRow], as_of: dt.date, today: dt.date, width: int = 960) -> SafeString:
    """Each venue's versions as bars on one time axis; the versions valid on `as_of` highlighted, a line at that day."""
    left, right, top, row_height, bottom = 230, 16, 26, 24, 28
    height = top + row_height * max(1, len(rows)) + bottom
    starts = [version.valid_from for row in rows for version in row.versions]
    ends = [version.valid_to for row in rows for version in row.versions if version.valid_to]
    first = min(starts + [as_of]) if starts else as_of - dt.timedelta(days=365)
    last = max(ends + [today, as_of]) + dt.timedelta(days=1)
    span = max(1, (last - first).days)
    plot = width - left - right

    def x(day: dt.date) -> float:
        return left + plot * (day - first).days / span

    body = []
    for year in range(first.year + 1, last.year + 1):
        tick = x(dt.date(year, 1, 1))
        body.append(tag("line", x1=f"{tick:.1f}", x2=f"{tick:.1f}", y1=top - 6, y2=height - bottom, class_="tl-grid"))
        body.append(tag("text", str(year), x=f"{tick:.1f}", y=height - 10, class_="tl-tick"))
    for index, row in enumerate(rows):
        y = top + index * row_height
        body.append(tag("text", text(row.mic), x=6, y=y + 16, class_="tl-mic"))
        body.append(tag("text", text(_short(row.venue_name, 30)), x=50, y=y + 16, class_="tl-venue"))
        for version in row.versions:
            end = (version.valid_to + dt.timedelta(days=1)) if version.valid_to else last
            valid_on_day = version.valid_from <= as_of and (version.valid_to is None or as_of <= version.valid_to)
            classes = ["tl-version"]
            classes += ["tl-current"] if version.is_current else []
            classes += ["tl-cancelled"] if version.is_cancelled else []
            classes += ["tl-selected"] if valid_on_day else []
            x0 = x(version.valid_from)
            bar = tag(
                "rect",
                x=f"{x0:.1f}",
                y=y + 4,
                width=f"{max(3.0, x(end) - x0):.1f}",
                height=row_height - 8,
                class_=" ".join(classes),
            )
            body.append(tag("a", tag("title", text(version.label)), bar, href=version.url))
    line = x(as_of)
    body.append(tag("line", x1=f"{line:.1f}", x2=f"{line:.1f}", y1=top - 10, y2=height - bottom, class_="tl-as-of"))
    anchor = "tl-as-of-label" + (" tl-end" if line > width - 80 else " tl-start" if line < left + 80 else "")
    body.append(tag("text", f"as of {as_of.isoformat()}", x=f"{line:.1f}", y=top - 12, class_=anchor))
    label = f"Listing versions of {len(rows)} venues; those valid on {as_of.isoformat()} highlighted"
    return _svg(width, height, body, label, "md-timeline")


@dataclass
class GraphNode:
    """An entity in an ownership graph: its LEI, its name when loaded, where it links and a note."""

    lei: str
    name: str | None
    url: str
    note: str = ""


@dataclass
class GraphException:
    """A reporting exception standing where a parent would."""

    category: str
    reason: str


def _node(node: GraphNode, x: float, y: float, width: float, height: float, css_class: str) -> str:
    chars = int(width / 6.6)
    name = node.name if node.name is not None else "(LEI not loaded)"
    tip = f"{node.lei} {name}" + (f" ({node.note})" if node.note else "")
    return tag(
        "a",
        tag("title", text(tip)),
        tag(
            "rect",
            x=f"{x:.1f}",
            y=f"{y:.1f}",
            width=f"{width:.1f}",
            height=height,
            rx=4,
            class_=css_class + ("" if node.name is not None else " og-missing"),
        ),
        tag("text", text(node.lei), x=f"{x + 8:.1f}", y=f"{y + 15:.1f}", class_="og-lei"),
        tag("text", text(_short(name, chars)), x=f"{x + 8:.1f}", y=f"{y + 30:.1f}", class_="og-name"),
        href=node.url,
    )


def ownership_graph(
    entity: GraphNode,
    parents: Sequence[tuple[GraphNode, str]],
    exceptions: Sequence[GraphException],
    children: Sequence[tuple[str, Sequence[GraphNode], int, str]],
    columns: int = 4,
) -> SafeString:
    """The entity between its parent chain (top: ultimate) or the reporting exceptions that replace it, and its
    children in wrapped grids (one per relationship kind: title, shown nodes, total, link to all)."""
    box_w, box_h, gap, margin = 250, 40, 12, 16
    width = margin * 2 + columns * box_w + (columns - 1) * gap
    wide = 380
    center_x = (width - wide) / 2
    body, y = [], margin
    for category, reason in ((e.category, e.reason) for e in exceptions):
        label = f"no {category.replace('_', ' ').lower()} reported: {reason}"
        body.append(
            tag(
                "g",
                tag("title", text(label)),
                tag("rect", x=f"{center_x:.1f}", y=y, width=wide, height=box_h - 8, rx=4, class_="og-exception"),
                tag("text", text(label), x=f"{center_x + 8:.1f}", y=y + 20, class_="og-name"),
            )
        )
        y += box_h - 8 + gap
    chain = list(reversed(parents))  # the ultimate parent first, the direct parent last
    for node, kind in chain:
        body.append(_node(node, center_x, y, wide, box_h, "og-parent"))
        arrow_y = y + box_h
        y += box_h + 28
        body.append(tag("line", x1=width / 2, x2=width / 2, y1=arrow_y, y2=y, class_="og-edge"))
        body.append(tag("text", text(kind), x=f"{width / 2 + 6:.1f}", y=f"{arrow_y + 18:.1f}", class_="og-edge-label"))
    body.append(_node(entity, center_x, y, wide, box_h, "og-self"))
    y += box_h
    for title, nodes, total, more_url in children:
        if not total:
            continue
        body.append(tag("line", x1=width / 2, x2=width / 2, y1=y, y2=y + 24, class_="og-edge"))
        y += 24
        header = f"{title}: {total}" + (f" (first {len(nodes)} shown)" if total > len(nodes) else "")
        body.append(tag("line", x1=margin, x2=width - margin, y1=y, y2=y, class_="og-bus"))
        body.append(tag("a", tag("text", text(header), x=margin, y=y + 16, class_="og-header"), href=more_url))
        y += 24
        for index, node in enumerate(nodes):
            row, column = divmod(index, columns)
            body.append(_node(node, margin + column * (box_w + gap), y + row * (box_h + gap), box_w, box_h, "og-child"))
        rows = (len(nodes) + columns - 1) // columns
        y += rows * (box_h + gap)
    height = int(y + margin)
    label = f"Ownership of {entity.lei}: {len(parents)} parents, " + ", ".join(
        f"{total} {title.lower()}" for title, _, total, _ in children
    )
    return _svg(width, height, body, label, "md-ownership")

"""Readable renderings of stored JSON for admin pages: collapsible trees and small tables (escaped HTML)."""

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

OPEN_LEVELS = 2


def _leaf(value) -> SafeString:
    if value is None:
        return mark_safe('<span class="md-null">null</span>')
    if isinstance(value, bool):
        return format_html('<span class="md-bool">{}</span>', "true" if value else "false")
    if isinstance(value, int | float):
        return format_html('<span class="md-number">{}</span>', value)
    return format_html('<span class="md-string">{}</span>', value)


def _branch(key: str, value, level: int) -> SafeString:
    size = f"{len(value)} {'items' if isinstance(value, list) else 'fields'}"
    return format_html(
        '<details class="md-node"{}><summary><span class="md-key">{}</span> <span class="md-size">{}</span></summary>'
        "{}</details>",
        mark_safe(" open") if level < OPEN_LEVELS else "",
        key,
        size,
        _children(value, level + 1),
    )


def _children(value, level: int) -> SafeString:
    items = value.items() if isinstance(value, dict) else ((f"[{i}]", item) for i, item in enumerate(value))
    rows = []
    for key, item in items:
        if isinstance(item, dict | list) and item:
            rows.append(format_html("<li>{}</li>", _branch(str(key), item, level)))
        else:
            shown = (
                _leaf(item)
                if not isinstance(item, dict | list)
                else format_html('<span class="md-null">{}</span>', "{}" if isinstance(item, dict) else "[]")
            )
            rows.append(format_html('<li><span class="md-key">{}</span>: {}</li>', key, shown))
    return format_html('<ul class="md-tree">{}</ul>', mark_safe("".join(rows)))


def json_tree(value, label: str = "record") -> SafeString | str:
    """A JSON value as nested <details> (the first levels open), every key and value escaped; '-' when empty."""
    if value in (None, {}, []):
        return "-"
    if not isinstance(value, dict | list):
        return _leaf(value)
    return format_html('<div class="md-json">{}</div>', _branch(label, value, 0))


def _label(key: str) -> str:
    return key.replace("_", " ").replace("-", " ")


def mapping_table(mapping: dict | None, order: tuple[str, ...] = ()) -> SafeString | str:
    """A flat mapping (an address) as a two-column table, keys in `order` first (PostgreSQL's jsonb keeps no order);
    lists are joined, nested values shown as trees."""
    if not mapping:
        return "-"
    rows = []
    keys = [key for key in order if key in mapping] + [key for key in mapping if key not in order]
    for key, value in ((key, mapping[key]) for key in keys):
        if value in (None, "", [], {}):
            continue
        if isinstance(value, list) and all(not isinstance(item, dict | list) for item in value):
            value = ", ".join(str(item) for item in value)
        shown = json_tree(value, key) if isinstance(value, dict | list) else value
        rows.append((_label(key), shown))
    return format_html(
        '<table class="md-table md-mapping"><tbody>{}</tbody></table>',
        format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", rows),
    )


def rows_table(rows: list | None, columns: list[str] | None = None) -> SafeString | str:
    """A list of mappings (other names, periods) as a table, one column per key; plain values one per row."""
    if not rows:
        return "-"
    if not all(isinstance(row, dict) for row in rows):
        return format_html(
            '<table class="md-table"><tbody>{}</tbody></table>',
            format_html_join("", "<tr><td>{}</td></tr>", ((row,) for row in rows)),
        )
    columns = columns or list(dict.fromkeys(key for row in rows for key in row))
    head = format_html_join("", "<th>{}</th>", ((_label(column),) for column in columns))
    body = format_html_join(
        "",
        "<tr>{}</tr>",
        ((format_html_join("", "<td>{}</td>", ((_cell(row.get(column)),) for column in columns)),) for row in rows),
    )
    return format_html('<table class="md-table"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>', head, body)


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json_tree(value, "value")
    return value

"""XML helpers the parsers share: element names without namespace, an element as nested dicts, freeing parsed
elements (lxml; no Django)."""

_LOCAL_NAMES: dict[str, str] = {}


class _Repeated(list):
    """Values of an element name that occurs more than once under one parent (a plain list to every reader)."""


def local_name(tag: str) -> str:
    """An element's name without its namespace (cached: a file repeats a few dozen names)."""
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = _LOCAL_NAMES[tag] = tag.rpartition("}")[2]
    return name


def _is_list_container(name: str, child_names) -> bool:
    """True for wrappers such as OtherEntityNames/OtherEntityName or OtherValidationAuthorities/...Authority."""
    if len(child_names) != 1:
        return False
    (child,) = child_names
    return name != child and name.startswith(child[:-1])


def element_tree(element, text_key: str = "#text", trimmed: bool = False) -> dict | list:
    """The element's children as nested dicts: leaf text, '@attr' keys with `text_key` for the text, lists when
    repeated.

    As sent by default (FIRDS: text kept whole, real short names carry trailing spaces). `trimmed` (GLEIF):
    leaf text stripped, attribute names without namespace, and a wrapper of one repeated child
    (OtherEntityNames/OtherEntityName) given as the list of its children.
    """
    result: dict = {}
    names = _LOCAL_NAMES
    repeated = _Repeated if trimmed else list
    for child in element:
        name = names.get(child.tag)
        if name is None:
            if not isinstance(child.tag, str):  # comments, processing instructions
                continue
            name = local_name(child.tag)
        attributes = child.items()  # a list, usually empty (cheaper than the attrib proxy)
        if len(child):
            value = element_tree(child, text_key, trimmed)
        else:
            value = child.text or ""
            if trimmed:
                value = value.strip()
        if attributes:
            marked = {f"@{local_name(key) if trimmed else key}": item for key, item in attributes}
            value = {**marked, **value} if value.__class__ is dict else {**marked, text_key: value}
        if name in result:
            previous = result[name]
            if previous.__class__ is repeated:
                previous.append(value)
            else:
                result[name] = repeated([previous, value])
        else:
            result[name] = value
    if trimmed and _is_list_container(local_name(element.tag), result):
        (value,) = result.values()
        return list(value) if value.__class__ is _Repeated else [value]
    return result


def element_close(element) -> None:
    """Free a processed element and the siblings before it."""
    element.clear(keep_tail=False)
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]

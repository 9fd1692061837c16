"""OpenAPI 3.0.3: nullable schemas that carry no `type` rewritten so that null validates (a drf-spectacular hook).

drf-spectacular writes a nullable nested serializer as `{"allOf": [{"$ref": ...}], "nullable": true}`. Under
OpenAPI 3.0.3 `nullable` only adds null to the `type` beside it; with no `type` it does nothing, and the
referenced object rejects null, so standard validators (openapi-schema-validator) reject every null nested
object. This hook writes each such schema as `{"oneOf": [{"$ref": ...}, NULL_SCHEMA]}`, keeping its annotations
(readOnly, description, ...): the same shape drf-spectacular writes under OpenAPI 3.1 (`{"type": "null"}` there).
"""

from .schema import HTTP_METHODS

# Only null: `nullable` adds null to the object type beside it, and the enum leaves null alone.
NULL_SCHEMA = {"type": "object", "nullable": True, "enum": [None]}
# Keywords that apply to the whole value, left on the outer schema when its assertions move into oneOf.
ANNOTATIONS = ("title", "description", "readOnly", "writeOnly", "deprecated", "example", "externalDocs", "default")
COMBINERS = ("oneOf", "anyOf")
COMPONENT_PREFIX = "#/components/schemas/"
MAX_REF_DEPTH = 16  # a $ref chain longer than this is treated as not admitting null
# Values that are data, not schemas: never rewritten.
DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const"})


def nullable_without_type_hook(result, generator, request, public):
    """Rewrite every `nullable: true` schema without a `type` so that null validates under OpenAPI 3.0."""
    if not str(result.get("openapi", "")).startswith("3.0"):
        return result  # OpenAPI 3.1 has no `nullable`: drf-spectacular writes {"type": "null"} itself
    components = result.get("components", {}).get("schemas", {})
    for schema in components.values():
        _rewrite(schema, components)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in HTTP_METHODS:
                _rewrite(operation, components)
    return result


def _rewrite(node, components: dict, names_schemas: bool = False) -> None:
    """Walk a schema (or any part of the document) and fix each untyped nullable schema in place."""
    if isinstance(node, list):
        for item in node:
            _rewrite(item, components)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if names_schemas or key not in DATA_KEYS:  # under "properties" every key is a field name
            _rewrite(value, components, names_schemas=key == "properties" and not names_schemas)
    if node.get("nullable") is True and "type" not in node:
        _make_null_valid(node, components)


def _make_null_valid(schema: dict, components: dict) -> None:
    """One untyped nullable schema: its assertions become the first oneOf member, null the second."""
    del schema["nullable"]
    if "$ref" not in schema and "allOf" not in schema:
        for combiner in COMBINERS:
            if combiner in schema:
                # e.g. a nullable choice: drf-spectacular's enum hook may already have added a NullEnum member
                if not any(_admits_null(member, components) for member in schema[combiner]):
                    schema[combiner].append(dict(NULL_SCHEMA))
                return
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"].append(None)
        return  # otherwise an untyped schema already admits null
    assertions = {key: schema.pop(key) for key in list(schema) if key not in ANNOTATIONS}
    if list(assertions) == ["allOf"] and len(assertions["allOf"]) == 1:
        assertions = assertions["allOf"][0]  # drf-spectacular's {"allOf": [{"$ref": ...}]}: the $ref itself
    schema["oneOf"] = [assertions] if _admits_null(assertions, components) else [assertions, dict(NULL_SCHEMA)]


def _admits_null(schema: dict, components: dict, depth: int = 0) -> bool:
    """Whether a schema already accepts null: its enum holds null, or it is typed and nullable ($refs followed)."""
    reference = schema.get("$ref", "")
    if reference.startswith(COMPONENT_PREFIX) and depth < MAX_REF_DEPTH:
        return _admits_null(components.get(reference.removeprefix(COMPONENT_PREFIX), {}), components, depth + 1)
    if "enum" in schema:
        return None in schema["enum"]
    return schema.get("nullable") is True and "type" in schema

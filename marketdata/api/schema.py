"""OpenAPI: the shared error shape, documented once for every operation (a drf-spectacular postprocessing hook)."""

import copy

ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable machine-readable code, e.g. not_found."},
                "message": {"type": "string", "description": "What went wrong, for people."},
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "description": "Field errors, or e.g. retry_after for 429.",
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}

ERROR_RESPONSES = {
    "400": "Invalid input; details name the field and the reason.",
    "401": "No credentials, or an invalid, expired or revoked token or API key.",
    "403": "Authenticated, but this role may not do this.",
    "404": "No such object (or an invalid page cursor).",
    "429": "Rate limit exceeded; retry after the Retry-After header's seconds.",
}
HTTP_METHODS = ("get", "put", "post", "patch", "delete", "head", "options", "trace")
# Path parameters that carry a business code: their shape (check digits cannot be expressed; see
# scripts/schemathesis.toml), as marketdata.identifiers accepts them.
IDENTIFIER_PATTERNS = {
    "isin": "^[A-Z]{2}[A-Z0-9]{9}[0-9]$",
    "lei": "^[A-Za-z0-9]{18}[0-9]{2}$",
    "mic": "^[A-Z0-9]{4}$",
}


def error_responses_hook(result, generator, request, public):
    """Add the Error component and the 400/401/403/404/429 error responses to every operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    reference = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            _document_parameters(operation)
            responses = operation.setdefault("responses", {})
            for code, description in ERROR_RESPONSES.items():
                responses.setdefault(code, {"description": description, "content": copy.deepcopy(reference)})
            if "429" in responses:
                responses["429"].setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds until the rate limit window ends.",
                }
    return result


def _document_parameters(operation: dict) -> None:
    """Identifier path parameters get their pattern unless their view documents one."""
    for parameter in operation.get("parameters", []):
        schema = parameter.get("schema", {})
        if parameter.get("in") == "path" and parameter.get("name") in IDENTIFIER_PATTERNS:
            schema.setdefault("pattern", IDENTIFIER_PATTERNS[parameter["name"]])

"""One error shape everywhere: {"error": {"code", "message", "details"}} from DRF views and for /api/ 404/500s."""

from django.http import JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.views import exception_handler as drf_exception_handler

API_PREFIX = "/api/"


def error_body(code: str, message: str, details=None) -> dict:
    """The JSON body of every API error."""
    return {"error": {"code": code, "message": message, "details": details if details is not None else {}}}


def _first_message(detail) -> str:
    """The first human-readable message inside a DRF error detail (str, list or dict)."""
    if isinstance(detail, dict):
        for field, value in detail.items():
            message = _first_message(value)
            return message if field in ("detail", "non_field_errors") else f"{field}: {message}"
        return ""
    if isinstance(detail, list):
        return _first_message(detail[0]) if detail else ""
    return str(detail)


def _code(exc: exceptions.APIException) -> str:
    """A stable machine-readable code: the exception's own code, or the first field error's for validation."""
    if isinstance(exc, exceptions.ValidationError):
        return "invalid"
    codes = exc.get_codes()
    if isinstance(codes, dict):
        codes = codes.get("code") or codes.get("detail") or next(iter(codes.values()), exc.default_code)
    if isinstance(codes, list):
        codes = codes[0] if codes else exc.default_code
    return str(codes)


def _render_as_json(request) -> None:
    """Errors are JSON even when the client asked for another format (e.g. CSV from an export)."""
    renderer = getattr(request, "accepted_renderer", None)
    if request is not None and getattr(renderer, "format", None) not in ("json", "api"):  # api: browsable
        request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type


def api_exception_handler(exc, context):
    """DRF's EXCEPTION_HANDLER: DRF's status and headers (WWW-Authenticate, Retry-After), the shared body."""
    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers (JSON under /api/)
    _render_as_json(context.get("request"))
    detail = exc.detail if isinstance(exc, exceptions.APIException) else response.data
    details = {}
    if isinstance(exc, exceptions.ValidationError):
        details = detail if isinstance(detail, dict) else {"non_field_errors": detail}
    elif isinstance(detail, dict):
        details = {key: value for key, value in detail.items() if key not in ("detail", "code")}
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        details = {"retry_after": int(exc.wait)}
    code = _code(exc) if isinstance(exc, exceptions.APIException) else "error"
    response.data = error_body(code, _first_message(detail), details)
    return response


def json_page_not_found(request, exception=None):
    """handler404: the JSON error under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        body = error_body("not_found", f"No API endpoint or object at {request.path}.")
        return JsonResponse(body, status=status.HTTP_404_NOT_FOUND)
    return defaults.page_not_found(request, exception)


def json_server_error(request):
    """handler500: the JSON error under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        body = error_body("server_error", "The server failed to answer this request; it has been logged.")
        return JsonResponse(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    return defaults.server_error(request)


def json_bad_request(request, exception=None):
    """handler400: the JSON error under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("bad_request", "The request could not be understood."), status=400)
    return defaults.bad_request(request, exception)


def json_permission_denied(request, exception=None):
    """handler403: the JSON error under /api/, Django's page elsewhere."""
    if request.path.startswith(API_PREFIX):
        return JsonResponse(error_body("permission_denied", "You may not do this."), status=403)
    return defaults.permission_denied(request, exception)

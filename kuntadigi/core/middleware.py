"""Small answers that hold for every address: TRACE is refused, and the Permissions-Policy header."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse

from kuntadigi.api.middleware import API_PREFIX, DETAILS

ALLOWED_METHODS = ["GET", "HEAD", "POST"]


class RefuseTrace:
    """TRACE (and its old alias TRACK) is 405 everywhere: pages, static files and the API (JSON there).
    No view has any use for it, and echoing a request back is how cookies leak in cross-site tracing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in {"TRACE", "TRACK"}:
            if request.path.startswith(API_PREFIX):
                response: HttpResponse = JsonResponse({"detail": DETAILS[405]}, status=405)
                response["Allow"] = "GET, HEAD"
                return response
            return HttpResponseNotAllowed(ALLOWED_METHODS)
        return self.get_response(request)


class PermissionsPolicy:
    """The Permissions-Policy header (settings.PERMISSIONS_POLICY) on every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response

"""Small answers that hold for every address: TRACE is refused, the Permissions-Policy header, and the
service's own 404 page in the demo even with DEBUG on."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import Resolver404, get_resolver

from kuntadigi.api.middleware import API_PREFIX, DETAILS
from kuntadigi.core.views import page_not_found

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


class DemoNotFound:
    """The demo runs with DEBUG on (static files served by runserver, readable tracebacks), and with DEBUG
    on Django answers a missing page with its technical 404 page, which lists the URL patterns. A person
    trying the demo should meet the service's own page, as in production: with settings.KUNTADIGI_DEMO
    on, an address that matches no page and a view's Http404 are answered by handler404 whatever DEBUG
    is. The API keeps its JSON answers (kuntadigi.api.middleware.JsonErrors). Innermost in MIDDLEWARE, so
    the page has its user and language, and the locale and trailing-slash redirects still apply."""

    def __init__(self, get_response):
        self.get_response = get_response

    def _applies(self, request: HttpRequest) -> bool:
        return settings.DEBUG and getattr(settings, "KUNTADIGI_DEMO", False) and not request.path.startswith(API_PREFIX)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._applies(request):
            try:
                get_resolver(getattr(request, "urlconf", None)).resolve(request.path_info)
            except Resolver404 as missing:
                return self._not_found(request, missing)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404) and self._applies(request):
            return self._not_found(request, exception)
        return None

    @staticmethod
    def _not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
        return page_not_found(request, exception)

"""The open data API answers in JSON only, its refusals included.

Two answers under /api/ are made before any of the API's own handlers run, as Django's HTML: a path
that matches no operation (an identifier with a line break, say) gets Django's 404 page, and a method an
operation does not have gets django-ninja's plain `HttpResponseNotAllowed`. This middleware gives them a
JSON body of the documented shape (`{"detail": …}`) with the same status and headers."""

from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
DETAILS = {
    404: "Not found: the address names nothing public.",
    405: "Method not allowed: the API answers GET.",
}


class JsonErrors:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code in DETAILS and request.path.startswith(API_PREFIX) and not response.get("Content-Type", "").startswith("application/json"):
            answer = JsonResponse({"detail": DETAILS[response.status_code]}, status=response.status_code)
            if response.has_header("Allow"):
                answer["Allow"] = response["Allow"]
            return answer
        return response

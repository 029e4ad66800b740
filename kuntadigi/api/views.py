"""The OpenAPI document of the open data API, at /api/schema."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .api import api, open_data


@require_GET
@open_data
def schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3 document: every operation, parameter and field with its description."""
    return JsonResponse(api.get_openapi_schema(), json_dumps_params={"ensure_ascii": False})

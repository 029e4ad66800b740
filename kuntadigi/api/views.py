"""The OpenAPI document of the open data API, at /api/schema."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from .api import api, open_data


@require_GET
@open_data
def schema(request: HttpRequest) -> JsonResponse:
    """The OpenAPI 3 document: every operation, parameter and field with its description."""
    document = api.get_openapi_schema()
    for operations in document["paths"].values():
        for operation in operations.values():
            for parameter in operation["parameters"]:
                # ninja copies the JSON Schema list of examples; OpenAPI wants named Example Objects there.
                if isinstance(parameter.get("examples"), list):
                    parameter["examples"] = {f"{parameter['name']}{i}": {"value": value} for i, value in enumerate(parameter["examples"], start=1)}
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})

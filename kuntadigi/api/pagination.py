"""Page-numbered lists with the total count and links to the next and previous pages.

Built on ninja's PageNumberPagination: a page size above the maximum is refused (422) rather than
silently cut, and each row is turned into its public record by the `item` function the list names.
"""

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PageNumberPagination
from pydantic import ConfigDict

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
# Deeper than any real list: keeps offsets within what every database accepts.
MAX_PAGE = 100_000


class Pages(PageNumberPagination):
    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Number of the page, from 1.")
        page_size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description=f"Rows on a page, at most {MAX_PAGE_SIZE}.")

    class Output(Schema):
        # The lists name their own item type (ninja rewrites `items`); its description stays.
        model_config = ConfigDict(json_schema_extra=lambda schema, _cls: schema["properties"]["items"].setdefault("description", "The rows of this page."))

        items: list[Any] = Field(..., description="The rows of this page.")
        count: int = Field(..., ge=0, description="How many rows the whole list has, on all pages.")
        page: int = Field(..., ge=1, description="Number of this page.")
        page_size: int = Field(..., ge=1, description="Rows on a page.")
        next: str | None = Field(..., description="Address of the next page; null on the last page.")
        previous: str | None = Field(..., description="Address of the previous page; null on the first page.")

    def __init__(self, *, item: Callable[[Any, HttpRequest], Any], **kwargs: Any) -> None:
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)
        self.item = item

    def paginate_queryset(self, queryset: QuerySet, pagination: Input, request: HttpRequest, **params: Any) -> dict:
        size = pagination.page_size
        offset = (pagination.page - 1) * size
        count = queryset.count()
        rows = list(queryset[offset : offset + size]) if offset < count else []
        return {
            "items": [self.item(row, request) for row in rows],
            "count": count,
            "page": pagination.page,
            "page_size": size,
            "next": page_link(request, pagination.page + 1) if offset + size < count else None,
            "previous": page_link(request, min(pagination.page - 1, last_page(count, size))) if pagination.page > 1 else None,
        }


def last_page(count: int, size: int) -> int:
    return max(1, -(-count // size))


def page_link(request: HttpRequest, page: int) -> str:
    """The same list (same filters and page size) at another page."""
    query = request.GET.copy()
    query["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}")

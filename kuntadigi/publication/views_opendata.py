"""The open data page: the licence, the downloads and what every field means."""

from __future__ import annotations

from django.shortcuts import render

from . import exports, queries


def open_data(request):
    calls = list(queries.published_calls())
    return render(
        request,
        "publication/open_data.html",
        {
            "calls": calls,
            "fictional": any(call.generated_content for call in calls),
            "columns": [field for field, _take in exports.COLUMNS],
            "giving_fields": exports.GIVING_FIELDS,
            "licence_url": exports.LICENCE_URL,
            "grant_id_prefix": exports.grant_id_prefix(),
            "funder": exports.funder(),
            "geo_code_type": exports.GEO_CODE_TYPE,
        },
    )

"""The public map and statistics pages: pictures drawn on the server (SVG, no JavaScript), each with a
table of the same figures. Figures come from stats.py (a constant number of queries); the views pick
the call, build the shapes and charts and render."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kuntadigi.calls.models import Call

from . import charts, maps, queries, stats


def _chosen_call(request) -> tuple[list[Call], Call | None]:
    """The published calls (newest first) and the one chosen with ?call=<slug>, if any; a slug that
    names no published call is a 404."""
    calls = list(queries.published_calls())
    slug = request.GET.get("call") or ""
    if not slug:
        return calls, None
    call = next((c for c in calls if c.slug == slug), None)
    if call is None:
        raise Http404
    return calls, call


def _fictional(calls: list[Call], call: Call | None) -> bool:
    shown = [call] if call else calls
    return any(c.generated_content for c in shown)


def _call_label(call: Call) -> str:
    return f"{call.title} ({call.opens_at.year})"


# ── The map ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class RegionShape:
    code: str
    name: str
    d: str
    figures: stats.RegionFigures
    legend: stats.LegendClass | None
    results_href: str  # the region's funded projects in the call shown ("" across calls)
    label: str  # the link's accessible name: the figures in words

    @property
    def href(self) -> str:
        """Where the region on the map leads: its projects, or (across calls) its row of the table."""
        if not self.figures.projects:
            return ""
        return self.results_href or f"#region-{self.code}"

    @property
    def residents(self) -> str:
        return stats.thousands(self.figures.population)


@dataclass(frozen=True)
class MunicipalityShape:
    code: str
    name: str
    region_name: str
    d: str
    figures: stats.MunicipalityFigures
    href: str
    label: str


def _legend_text(cls: stats.LegendClass) -> str:
    return _("%(lower)s – %(upper)s per resident") % {"lower": stats.euros_text(cls.lower), "upper": stats.euros_text(cls.upper)}


def _region_label(name: str, figures: stats.RegionFigures) -> str:
    return _("%(name)s: %(per_resident)s per resident, %(granted)s granted in all, projects: %(projects)s") % {
        "name": name,
        "per_resident": stats.euros_text(figures.per_resident or Decimal("0")),
        "granted": stats.euros_text(figures.granted),
        "projects": figures.projects,
    }


def _municipality_label(name: str, figures: stats.MunicipalityFigures) -> str:
    if figures.is_lead:
        role = _("lead applicant in at least one project")
    else:
        role = _("partner only")
    return _("%(name)s: %(role)s; projects as lead applicant: %(led)s, as partner: %(partnered)s") % {
        "name": name,
        "role": role,
        "led": figures.led,
        "partnered": figures.partnered,
    }


@require_GET
def map_view(request):
    calls, call = _chosen_call(request)
    grants = stats.grant_facts(call)
    region_figures = stats.region_figures(grants, stats.region_populations())
    municipality_figures = stats.municipality_figures(grants)
    organisations = stats.municipalities_by_code(municipality_figures)
    regions = list(queries.regions())
    finland = maps.finland()
    classes = stats.legend_classes(f.per_resident for f in region_figures.values() if f.projects)
    # A region links to its funded projects when one call is shown; across calls, to its row of the table.
    results_call = call or (calls[0] if len(calls) == 1 else None)

    region_shapes = []
    for region in regions:
        figures = region_figures.get(region.code) or stats.RegionFigures(code=region.code, population=0)
        results_href = ""
        if figures.projects and results_call:
            results_href = reverse("publication:call", kwargs={"slug": results_call.slug}) + "?" + urlencode({"region": region.code})
        region_shapes.append(
            RegionShape(
                code=region.code,
                name=region.name,
                d=finland.regions.get(region.code, ""),
                figures=figures,
                legend=stats.legend_class(figures.per_resident, classes) if figures.projects else None,
                results_href=results_href,
                label=_region_label(region.name, figures),
            )
        )
    municipality_shapes = []
    for code, figures in municipality_figures.items():
        org = organisations.get(code)
        if org is None:
            continue
        municipality_shapes.append(
            MunicipalityShape(
                code=code,
                name=org.name,
                region_name=org.region.name if org.region_id else "",
                d=finland.municipalities.get(code, ""),
                figures=figures,
                href=reverse("publication:municipality", kwargs={"code": code}),
                label=_municipality_label(org.name, figures),
            )
        )
    municipality_shapes.sort(key=lambda shape: shape.name)
    taking_part = {shape.code for shape in municipality_shapes}
    totals = stats.RegionFigures(code="", population=sum(f.population for f in region_figures.values()))
    totals.granted = sum((grant.amount for grant in grants), Decimal("0.00"))
    totals.projects = len(grants)
    return render(
        request,
        "publication/map.html",
        {
            "calls": calls,
            "call": call,
            "fictional": _fictional(calls, call),
            "finland": finland,
            "classes": [(cls, _legend_text(cls)) for cls in classes],
            "region_shapes": region_shapes,
            # Regions without funded projects are drawn first, so that the borders of those with them lie on top.
            "region_shapes_drawn": sorted(region_shapes, key=lambda shape: bool(shape.figures.projects)),
            "municipality_shapes": municipality_shapes,
            "leads": [shape for shape in municipality_shapes if shape.figures.is_lead and shape.d],
            "partners": [shape for shape in municipality_shapes if not shape.figures.is_lead and shape.d],
            "other_municipalities": "".join(d for code, d in finland.municipalities.items() if code not in taking_part),
            "region_borders": "".join(finland.regions.values()),
            "totals": totals,
            "total_residents": stats.thousands(totals.population),
        },
    )


# ── The statistics ───────────────────────────────────────────────────────────


def _series_counts() -> list[charts.Series]:
    return [charts.Series("received", _("Applications received")), charts.Series("funded", _("Projects funded"))]


def _counts_chart(chart_id: str, title: str, description: str, header: str, rows: list[tuple[str, stats.Counts]]) -> charts.BarChart:
    return charts.bar_chart(
        id=chart_id,
        title=title,
        description=description,
        category_header=header,
        series=_series_counts(),
        categories=[label for label, _counts in rows],
        values=[[counts.received, counts.funded] for _label, counts in rows],
        texts=[[str(counts.received), str(counts.funded)] for _label, counts in rows],
    )


@require_GET
def statistics(request):
    calls, call = _chosen_call(request)
    areas, area_counts = stats.counts_by_target_area(call)
    regions, region_counts = stats.counts_by_region(call)
    size_counts = stats.counts_by_size_class(call)
    by_call = stats.granted_by_call()
    several_calls = call is None and len(calls) > 1

    area_rows = [(f"{area.call.opens_at.year}: {area.name}" if several_calls else area.name, area_counts[area.pk]) for area in areas]
    region_rows = [(region.name, region_counts[region.code]) for region in regions]
    size_rows = [(cls.label, counts) for cls, counts in size_counts.items() if cls in stats.SIZE_CLASSES or counts.received or counts.funded]
    chart_list = [
        _counts_chart(
            "chart-target-areas",
            _("Applications and funded projects by target area"),
            _("An application may name several target areas; it counts under each of them."),
            _("Target area"),
            area_rows,
        ),
        _counts_chart(
            "chart-regions",
            _("Applications and funded projects by region"),
            _("Each application counts once, in the region of its lead applicant."),
            _("Region of the lead applicant"),
            region_rows,
        ),
        _counts_chart(
            "chart-sizes",
            _("Applications and funded projects by the size of the lead applicant"),
            _("Each application counts once, by the number of residents of its lead applicant's municipality at the end of 2019."),
            _("Residents of the lead applicant"),
            size_rows,
        ),
        charts.bar_chart(
            id="chart-calls",
            title=_("Euros granted per call"),
            description=_("The sum of the grants of every call whose results are published, oldest call first."),
            category_header=_("Call"),
            series=[charts.Series("granted", _("Granted"))],
            categories=[_call_label(c) for c, _counts in by_call],
            values=[[counts.granted] for _c, counts in by_call],
            texts=[[stats.euros_text(counts.granted)] for _c, counts in by_call],
        ),
    ]
    shown = [counts for c, counts in by_call if call is None or c.pk == call.pk]
    return render(
        request,
        "publication/statistics.html",
        {
            "calls": calls,
            "call": call,
            "fictional": _fictional(calls, call),
            "charts": chart_list,
            "received": sum(counts.received for counts in shown),
            "funded": sum(counts.funded for counts in shown),
            "granted": sum((counts.granted for counts in shown), Decimal("0.00")),
        },
    )

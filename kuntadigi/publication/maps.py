"""Finland's municipalities and regions as SVG paths, from TopoJSON, with no database and no JavaScript.

A TopoJSON file stores each boundary line ("arc") once, quantised to integers and delta-encoded; a
shape is a list of rings, each a list of arc indices (a negative index ~i is arc i reversed). This
module decodes that, projects longitude/latitude with a transverse Mercator projection centred on
27° E (the central meridian of ETRS-TM35FIN, Finland's own map grid, so the country stands upright as
on the National Land Survey's maps), fits the country into an SVG viewBox, simplifies each arc once
(Douglas–Peucker: shared borders stay shared, so neighbours still meet) and writes compact paths
with whole-number relative coordinates.

`finland()` reads the two files in data/geo once per process and keeps the result.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

Point = tuple[float, float]

GEO_DIR = Path(__file__).resolve().parents[2] / "data" / "geo"
MUNICIPALITIES_FILE = "finland-munis-2020.topo.json"
REGIONS_FILE = "finland-regions-2020.topo.json"
MUNICIPALITIES_OBJECT, MUNICIPALITY_KEY = "munis", "id"
REGIONS_OBJECT, REGION_KEY = "landskap-2020", "maakunta"

CENTRAL_MERIDIAN = 27.0  # ETRS-TM35FIN
MAP_WIDTH = 600  # viewBox units; the SVG itself scales to the width of the page
TOLERANCE = 0.7  # viewBox units a simplified line may stray from the boundary


# ── TopoJSON ─────────────────────────────────────────────────────────────────


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Every arc as absolute longitude/latitude points. A quantised topology (one with a
    `transform`) stores each point as the difference from the previous one, in grid steps."""
    transform = topology.get("transform")
    if not transform:
        return [[(float(x), float(y)) for x, y, *_ in arc] for arc in topology["arcs"]]
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy, *_ in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def ring_arcs(indices: Iterable[int], arcs: Sequence[Sequence[Point]]) -> list[Point]:
    """Join a ring's arcs: arc ~i is arc i backwards, and each arc starts where the last one ended
    (the shared point is kept once)."""
    points: list[Point] = []
    for index in indices:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc[1:] if points else arc)
    return points


def polygons_of(geometry: dict) -> list[list[list[int]]]:
    """A geometry's polygons, each a list of rings of arc indices (the first ring is the outline,
    the others holes). Geometries that are not areas have none."""
    if geometry.get("type") == "Polygon":
        return [geometry["arcs"]]
    if geometry.get("type") == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def shapes_of(topology: dict, object_name: str, key: str) -> dict[str, list[list[list[int]]]]:
    """The areas of one object of the topology by the value of the property `key`."""
    return {str(geometry["properties"][key]): polygons_of(geometry) for geometry in topology["objects"][object_name]["geometries"]}


# ── Projection and fitting ───────────────────────────────────────────────────


def transverse_mercator(lon: float, lat: float, central_meridian: float = CENTRAL_MERIDIAN) -> Point:
    """Spherical transverse Mercator on the unit sphere: x east, y north (radians of arc)."""
    lam = math.radians(lon - central_meridian)
    phi = math.radians(lat)
    b = math.cos(phi) * math.sin(lam)
    x = math.atanh(b)
    y = math.atan2(math.tan(phi), math.cos(lam))
    return x, y


@dataclass(frozen=True)
class Fit:
    """Turns projected points into viewBox units: x grows to the east, y to the south."""

    min_x: float
    max_y: float
    scale: float
    width: int
    height: int

    def __call__(self, point: Point) -> Point:
        x, y = point
        return (x - self.min_x) * self.scale, (self.max_y - y) * self.scale


def fit_to_width(points: Iterable[Point], width: int = MAP_WIDTH) -> Fit:
    xs, ys = zip(*points, strict=True)
    min_x, max_x, min_y, max_y = min(xs), max(xs), min(ys), max(ys)
    scale = width / (max_x - min_x)
    return Fit(min_x=min_x, max_y=max_y, scale=scale, width=width, height=math.ceil((max_y - min_y) * scale))


# ── Simplification and paths ─────────────────────────────────────────────────


def _distance_to_segment(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    if length2 == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker: keep the ends, and every point that strays more than `tolerance` from the
    line between the points kept on either side (iterative, so long arcs need no deep recursion)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        farthest, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _distance_to_segment(points[i], points[first], points[last])
            if distance > farthest:
                farthest, index = distance, i
        if index >= 0 and farthest > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def rounded(points: Iterable[Point]) -> list[tuple[int, int]]:
    """Whole viewBox units, without points that round onto the one before."""
    out: list[tuple[int, int]] = []
    for x, y in points:
        point = (round(x), round(y))
        if not out or out[-1] != point:
            out.append(point)
    return out


def ring_path(ring: Sequence[tuple[int, int]]) -> str:
    """One closed ring as path data: an absolute move, then relative lines, then close."""
    if ring and ring[0] == ring[-1]:
        ring = ring[:-1]
    if len(set(ring)) < 3:
        return ""
    (x0, y0), parts, (px, py) = ring[0], [], ring[0]
    for x, y in ring[1:]:
        parts.append(f"{x - px} {y - py}")
        px, py = x, y
    return f"M{x0} {y0}l" + " ".join(parts) + "z"


def shape_path(polygons: Sequence[Sequence[Sequence[int]]], arcs: Sequence[Sequence[tuple[int, int]]]) -> str:
    """A shape's path data; rings too small to draw after simplification are left out."""
    return "".join(ring_path(rounded(ring_arcs(ring, arcs))) for polygon in polygons for ring in polygon)


def shape_paths(topology: dict, object_name: str, key: str, fit: Fit | None = None, tolerance: float = TOLERANCE) -> tuple[dict[str, str], Fit]:
    """Path data for every shape of one object, by `key`; the fit is computed from the shapes when not
    given (pass another layer's fit to draw two layers on top of each other). A shape whose every
    ring vanishes after simplification is drawn again from its unsimplified arcs, so that even the
    smallest municipality stays on the map."""
    projected = [[transverse_mercator(lon, lat) for lon, lat in arc] for arc in decode_arcs(topology)]
    shapes = shapes_of(topology, object_name, key)
    if fit is None:
        used = {index if index >= 0 else ~index for polygons in shapes.values() for polygon in polygons for ring in polygon for index in ring}
        fit = fit_to_width(point for index in used for point in projected[index])
    placed = [[fit(point) for point in arc] for arc in projected]
    simplified = [simplify(arc, tolerance) for arc in placed]
    paths = {}
    for code, polygons in shapes.items():
        paths[code] = shape_path(polygons, simplified) or shape_path(polygons, placed)
    return paths, fit


# ── Finland ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FinlandMap:
    width: int
    height: int
    regions: dict[str, str]  # region code → path data
    municipalities: dict[str, str]  # municipality code → path data

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def load(regions_topology: dict, municipalities_topology: dict, width: int = MAP_WIDTH) -> FinlandMap:
    """Both layers in one frame: the regions set the fit, the municipalities follow it."""
    regions, fit = shape_paths(regions_topology, REGIONS_OBJECT, REGION_KEY, fit_to_width_of(regions_topology, width))
    municipalities, _fit = shape_paths(municipalities_topology, MUNICIPALITIES_OBJECT, MUNICIPALITY_KEY, fit)
    return FinlandMap(width=fit.width, height=fit.height, regions=regions, municipalities=municipalities)


def fit_to_width_of(topology: dict, width: int) -> Fit:
    return fit_to_width((transverse_mercator(lon, lat) for arc in decode_arcs(topology) for lon, lat in arc), width)


@functools.cache
def finland() -> FinlandMap:
    """The map of Finland from data/geo, decoded once per process."""
    with open(GEO_DIR / REGIONS_FILE, encoding="utf-8") as regions, open(GEO_DIR / MUNICIPALITIES_FILE, encoding="utf-8") as municipalities:
        return load(json.load(regions), json.load(municipalities))

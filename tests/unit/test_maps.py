"""The TopoJSON decoding and the SVG paths of the public map (kuntadigi/publication/maps.py)."""

from __future__ import annotations

import json
import math
import re

import pytest

from kuntadigi.publication import maps

# Two unit squares side by side sharing one edge (arc 0), quantised with a scale of 0.5 and a
# translate of (10, 60): the left square is arcs 0 and 1, the right one arcs 0 and 2 reversed.
TOPOLOGY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.5], "translate": [10, 60]},
    "arcs": [
        [[2, 0], [0, 2]],  # (11, 60) → (11, 61)
        [[2, 2], [-2, 0], [0, -2], [2, 0]],  # (11, 61) → (10, 61) → (10, 60) → (11, 60)
        [[2, 2], [2, 0], [0, -2], [-2, 0]],  # (11, 61) → (12, 61) → (12, 60) → (11, 60)
    ],
    "objects": {
        "areas": {
            "type": "GeometryCollection",
            "geometries": [
                {"type": "Polygon", "arcs": [[0, 1]], "properties": {"code": "L"}},
                {"type": "MultiPolygon", "arcs": [[[~0, ~2]]], "properties": {"code": "R"}},
                {"type": "LineString", "arcs": [0], "properties": {"code": "line"}},
            ],
        }
    },
}


def test_arcs_are_delta_decoded_and_transformed():
    arcs = maps.decode_arcs(TOPOLOGY)
    assert arcs[0] == [(11.0, 60.0), (11.0, 61.0)]
    assert arcs[2] == [(11.0, 61.0), (12.0, 61.0), (12.0, 60.0), (11.0, 60.0)]


def test_an_unquantised_topology_keeps_its_coordinates():
    assert maps.decode_arcs({"arcs": [[[25.5, 65.0], [26.0, 65.5]]]}) == [[(25.5, 65.0), (26.0, 65.5)]]


def test_a_negative_index_is_the_arc_reversed_and_shared_points_are_kept_once():
    arcs = maps.decode_arcs(TOPOLOGY)
    # The right square: down the shared edge, then along arc 2 backwards, round to where it began.
    assert maps.ring_arcs([~0, ~2], arcs) == [(11.0, 61.0), (11.0, 60.0), (12.0, 60.0), (12.0, 61.0), (11.0, 61.0)]
    assert maps.ring_arcs([0, 1], arcs) == [(11.0, 60.0), (11.0, 61.0), (10.0, 61.0), (10.0, 60.0), (11.0, 60.0)]


def test_polygons_and_multipolygons_become_lists_of_rings_and_lines_are_no_area():
    shapes = maps.shapes_of(TOPOLOGY, "areas", "code")
    assert shapes["L"] == [[[0, 1]]]
    assert shapes["R"] == [[[~0, ~2]]]
    assert shapes["line"] == []


def test_the_projection_keeps_the_central_meridian_straight_and_north_up():
    x, y = maps.transverse_mercator(27.0, 64.0)
    assert x == pytest.approx(0.0)
    assert y == pytest.approx(math.radians(64.0))
    west, _ = maps.transverse_mercator(21.0, 64.0)
    _, north = maps.transverse_mercator(27.0, 70.0)
    assert west < 0 < north - y


def test_the_projection_keeps_shapes_true_near_finland():
    """A degree of longitude at 64° N is about cos 64° of a degree of latitude."""
    x1, y1 = maps.transverse_mercator(27.0, 64.0)
    x2, _ = maps.transverse_mercator(28.0, 64.0)
    _, y2 = maps.transverse_mercator(27.0, 65.0)
    assert (x2 - x1) / (y2 - y1) == pytest.approx(math.cos(math.radians(64.0)), rel=0.02)


def test_the_fit_puts_the_west_edge_at_zero_and_the_north_at_the_top():
    fit = maps.fit_to_width([(0.0, 0.0), (2.0, 1.0)], width=100)
    assert (fit.width, fit.height) == (100, 50)
    assert fit((0.0, 1.0)) == (0.0, 0.0)
    assert fit((2.0, 0.0)) == (100.0, 50.0)


def test_simplify_drops_points_within_the_tolerance_and_keeps_the_ends_and_corners():
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, -0.1), (3.0, 0.0), (3.0, 5.0)]
    assert maps.simplify(line, 0.5) == [(0.0, 0.0), (3.0, 0.0), (3.0, 5.0)]
    assert maps.simplify(line, 0.05) == line
    assert maps.simplify(line[:2], 10) == line[:2]


def test_a_ring_path_is_relative_whole_numbers_and_closed():
    assert maps.ring_path([(10, 20), (13, 20), (13, 24), (10, 20)]) == "M10 20l3 0 0 4z"


def test_a_ring_that_collapses_is_left_out():
    assert maps.ring_path([(1, 1), (1, 1), (2, 1)]) == ""
    assert maps.rounded([(1.2, 1.4), (0.9, 1.1), (2.6, 1.0)]) == [(1, 1), (3, 1)]


def test_shape_paths_draw_each_shape_in_one_frame():
    paths, fit = maps.shape_paths(TOPOLOGY, "areas", "code", tolerance=0.1)
    assert fit.width == maps.MAP_WIDTH
    assert set(paths) == {"L", "R", "line"}
    assert paths["line"] == ""
    for code in ("L", "R"):
        assert re.fullmatch(r"M\d+ \d+l(-?\d+ -?\d+ ?)+z", paths[code]), paths[code]
    # The squares meet: both rings pass through both ends of the shared edge.
    assert len(corners(paths["L"]) & corners(paths["R"])) == 2
    assert min(x for x, _y in corners(paths["L"])) == 0
    assert max(x for x, _y in corners(paths["R"])) == maps.MAP_WIDTH


def corners(d: str) -> set[tuple[int, int]]:
    numbers = [int(n) for n in re.findall(r"-?\d+", d)]
    x, y = numbers[0], numbers[1]
    points = {(x, y)}
    for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
        x, y = x + dx, y + dy
        points.add((x, y))
    return points


def test_a_shape_too_small_for_simplification_is_drawn_from_its_unsimplified_arcs():
    paths, _fit = maps.shape_paths(TOPOLOGY, "areas", "code", tolerance=10_000)
    assert paths["L"] and paths["R"]


def test_finland_has_every_region_and_municipality_of_2020_in_a_small_map():
    finland = maps.finland()
    assert len(finland.regions) == 19
    assert len(finland.municipalities) == 310
    assert all(finland.regions.values()) and all(finland.municipalities.values())
    assert finland.width == maps.MAP_WIDTH and 1.5 < finland.height / finland.width < 2.0  # Finland is tall
    assert finland.view_box == f"0 0 {finland.width} {finland.height}"
    # Small enough to send with every page view: the paths of all 310 municipalities under 60 kB.
    assert sum(len(d) for d in finland.municipalities.values()) < 60_000
    # Kauniainen (235), the smallest municipality in area, is still drawn.
    assert finland.municipalities["235"].startswith("M")
    assert maps.finland() is finland  # decoded once per process


def test_every_code_in_the_files_is_a_municipality_or_region_code():
    with open(maps.GEO_DIR / maps.MUNICIPALITIES_FILE, encoding="utf-8") as handle:
        codes = [g["properties"]["id"] for g in json.load(handle)["objects"]["munis"]["geometries"]]
    assert all(re.fullmatch(r"\d{3}", code) for code in codes)
    assert set(codes) == set(maps.finland().municipalities)

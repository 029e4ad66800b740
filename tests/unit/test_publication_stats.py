"""The arithmetic of the public map and statistics: sharing a grant, euros per resident, size classes,
the map's legend classes (kuntadigi/publication/stats.py) and the bar charts' layout (charts.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from kuntadigi.publication import charts, stats

D = Decimal


# ── Sharing a grant ──────────────────────────────────────────────────────────


def test_a_grant_is_shared_in_proportion_to_population():
    shares = stats.share_grant(D("100000.00"), [("helsinki", 3000), ("kauniainen", 1000)])
    assert shares == {"helsinki": D("75000.00"), "kauniainen": D("25000.00")}


def test_the_shares_add_up_to_the_grant_to_the_cent():
    shares = stats.share_grant(D("100.00"), [("a", 1), ("b", 1), ("c", 1)])
    assert sum(shares.values()) == D("100.00")
    assert sorted(shares.values()) == [D("33.33"), D("33.33"), D("33.34")]
    # The leftover cent goes to the largest remainder, then to the earlier participant.
    assert shares["a"] == D("33.34")


def test_an_organisation_without_a_population_takes_no_share_beside_municipalities():
    shares = stats.share_grant(D("90000.00"), [("joint-authority", None), ("a", 2000), ("b", 1000)])
    assert shares == {"joint-authority": D("0.00"), "a": D("60000.00"), "b": D("30000.00")}


def test_organisations_none_of_whose_populations_is_known_share_equally():
    assert stats.share_grant(D("10.00"), [("x", None), ("y", None)]) == {"x": D("5.00"), "y": D("5.00")}
    assert stats.share_grant(D("10.00"), []) == {}


def test_euros_per_resident_are_to_the_cent_and_unknown_without_residents():
    assert stats.per_resident(D("100000.00"), 30000) == D("3.33")
    assert stats.per_resident(D("100000.00"), 0) is None
    assert stats.per_resident(D("1.00"), None) is None


def member(org_id, code, region, population, lead=False):
    return stats.Member(organisation_id=org_id, municipality_code=code, region_code=region, population=population, is_lead=lead)


GRANTS = [
    # Porvoo (50 000, region 01) leads with Loviisa (15 000, region 01) and Kotka (50 000, region 08).
    stats.GrantFacts("G-1", "digi-2020", D("115000.00"), (member(1, "638", "01", 50000, True), member(2, "434", "01", 15000), member(3, "285", "08", 50000))),
    # Kotka leads with a joint authority of region 08.
    stats.GrantFacts("G-2", "digi-2020", D("20000.00"), (member(3, "285", "08", 50000, True), member(9, None, "08", None))),
]


def test_a_region_gets_the_shares_of_its_municipalities_and_counts_a_project_once():
    figures = stats.region_figures(GRANTS, {"01": 1_000_000, "08": 100_000, "19": 50_000})
    assert figures["01"].granted == D("65000.00")  # 50 000 + 15 000
    assert figures["08"].granted == D("70000.00")  # 50 000 of G-1 and all of G-2
    assert figures["19"].granted == D("0.00")
    assert (figures["01"].projects, figures["08"].projects, figures["19"].projects) == (1, 2, 0)
    assert figures["01"].per_resident == D("0.07")
    assert figures["08"].per_resident == D("0.70")
    assert sum(f.granted for f in figures.values()) == D("135000.00")  # every euro is somewhere


def test_municipalities_taking_part_know_whether_they_lead():
    figures = stats.municipality_figures(GRANTS)
    assert set(figures) == {"638", "434", "285"}  # the joint authority is no municipality
    assert (figures["285"].led, figures["285"].partnered, figures["285"].is_lead) == (1, 1, True)
    assert (figures["434"].led, figures["434"].partnered, figures["434"].is_lead) == (0, 1, False)
    assert figures["285"].granted == D("70000.00")
    assert figures["285"].per_resident == D("1.40")
    assert figures["285"].references == ["G-1", "G-2"]


# ── Size classes ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("population", "key"),
    [
        (0, "under-5000"),
        (4999, "under-5000"),
        (5000, "5000-19999"),
        (19999, "5000-19999"),
        (20000, "20000-49999"),
        (99999, "50000-99999"),
        (100000, "100000-"),
        (656229, "100000-"),
        (None, "joint-authority"),
    ],
)
def test_size_classes_have_no_gaps_or_overlaps(population, key):
    assert stats.size_class(population).key == key


def test_size_class_labels_read_as_residents():
    assert [cls.label for cls in stats.SIZE_CLASSES] == [
        "Under 5\u00a0000 residents",
        "5\u00a0000–19\u00a0999 residents",
        "20\u00a0000–49\u00a0999 residents",
        "50\u00a0000–99\u00a0999 residents",
        "100\u00a0000 residents or more",
    ]
    assert stats.JOINT_AUTHORITY_CLASS.label == "Joint municipal authority"


# ── Legend classes ───────────────────────────────────────────────────────────


@pytest.mark.parametrize(("raw", "step"), [("0.74", "1"), ("1", "1"), ("1.2", "2"), ("2.1", "2.5"), ("3", "5"), ("7", "10"), ("0.013", "0.02"), ("180", "200")])
def test_a_step_is_a_round_number(raw, step):
    assert stats.nice_step(D(raw)) == D(step)


def test_legend_classes_are_round_and_cover_the_largest_value():
    classes = stats.legend_classes([D("0.50"), D("3.70"), None, D("0")])
    assert [(c.number, c.lower, c.upper) for c in classes] == [(1, 0, 1), (2, 1, 2), (3, 2, 3), (4, 3, 4)]
    assert stats.legend_class(D("3.70"), classes).number == 4
    assert stats.legend_class(D("0.50"), classes).number == 1
    assert stats.legend_class(D("1.00"), classes).number == 2  # a bound belongs to the class above
    assert stats.legend_class(None, classes) is None
    assert stats.legend_class(D("0"), classes) is None


def test_there_are_never_more_than_five_classes_and_none_without_values():
    assert len(stats.legend_classes([D("5.00"), D("1.00")])) <= 5
    top = stats.legend_classes([D("5.00")])
    assert top[-1].upper >= D("5.00") and stats.legend_class(D("5.00"), top) == top[-1]
    assert stats.legend_classes([None, D("0")]) == []


def test_legend_bounds_are_never_finer_than_a_cent():
    classes = stats.legend_classes([D("0.01"), D("0.02")])
    assert [(c.lower, c.upper) for c in classes] == [(D("0.00"), D("0.01")), (D("0.01"), D("0.02")), (D("0.02"), D("0.03"))]


def test_euros_read_the_finnish_way_in_finnish_and_swedish_and_the_english_way_in_english():
    for language in ("fi", "sv"):
        with translation.override(language):
            assert stats.euros_text(D("1234567.5")) == "1\u00a0234\u00a0567,50\u00a0€"
            assert stats.euros_text(D("1234567.5"), cents=False) == "1\u00a0234\u00a0568\u00a0€"
    with translation.override("en"):
        assert stats.euros_text(D("1234567.5")) == "1,234,567.50\u00a0€"
        assert stats.euros_text(D("1234567.5"), cents=False) == "1,234,568\u00a0€"


# ── Bar charts ───────────────────────────────────────────────────────────────

RECEIVED = charts.Series("received", "Received")
FUNDED = charts.Series("funded", "Funded")


def chart(categories, values):
    return charts.bar_chart(
        id="c",
        title="Applications",
        description="Received and funded",
        category_header="Target area",
        series=[RECEIVED, FUNDED],
        categories=categories,
        values=values,
        texts=[[str(v) for v in row] for row in values],
    )


def test_bars_share_one_scale_and_the_largest_fills_the_room():
    result = chart(["A", "B"], [[10, 5], [4, 0]])
    lengths = [[bar.length for bar in row.bars] for row in result.rows]
    room = charts.WIDTH - charts.VALUE_ROOM
    assert lengths == [[room, room / 2], [room * 0.4, 0.0]]
    assert result.rows[0].bars[0].text_x == room + charts.VALUE_GAP
    assert all(bar.text_x + 60 <= charts.WIDTH for row in result.rows for bar in row.bars)  # room for the value


def test_a_small_value_still_shows_and_nothing_is_drawn_for_nothing():
    assert charts.bar_length(D("1"), D("100000"), 290) == charts.MIN_BAR
    assert charts.bar_length(D("0"), D("10"), 290) == 0.0
    assert charts.bar_length(D("0"), D("0"), 290) == 0.0


def test_rows_follow_each_other_without_overlapping():
    result = chart(["A name long enough to need a second line of text when it is wrapped", "B"], [[3, 1], [2, 2]])
    first, second = result.rows
    assert len(first.labels) == 2 and len(second.labels) == 1
    assert first.labels[1].y - first.labels[0].y == charts.LABEL_LINE
    assert first.bars[0].y > first.labels[-1].y
    assert first.bars[1].y >= first.bars[0].y + charts.BAR
    assert second.labels[0].y - charts.LABEL_LINE > first.bars[1].y + charts.BAR - 1
    assert result.height >= second.bars[1].y + charts.BAR
    assert result.view_box == f"0 0 {charts.WIDTH} {result.height:g}"


def test_the_table_has_the_same_numbers_as_the_bars():
    result = chart(["A", "B"], [[10, 5], [4, 0]])
    assert result.table == [("A", ["10", "5"]), ("B", ["4", "0"])]


def test_a_chart_refuses_values_that_do_not_match_its_series():
    with pytest.raises(ValueError):
        chart(["A"], [[1]])
    with pytest.raises(ValueError):
        chart(["A", "B"], [[1, 2]])


def test_labels_wrap_on_words():
    assert charts.wrap("Sähköiset palvelut ja asiointi", 12) == ["Sähköiset", "palvelut ja", "asiointi"]
    assert charts.wrap("") == [""]

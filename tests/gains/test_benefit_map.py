"""The benefit map (gains/benefit_map.py): an SVG of actions → effects → gains with the
prerequisites dashed, parsed here with lxml."""

import datetime
from decimal import Decimal

import pytest
from lxml import etree

from samdrift.gains.benefit_map import benefit_map_svg
from samdrift.gains.choices import ActionStatus, GainType, IndicatorUnit
from samdrift.gains.models import Action, Gain, GainShare, Indicator

D = datetime.date
SVG = "{http://www.w3.org/2000/svg}"
EVIL = 'Fewer <script>alert("x")</script> resets & calls'


def saved(obj):
    obj.full_clean()
    obj.save()
    return obj


@pytest.fixture
def plan(municipality_a, municipality_b):
    """Three actions: single sign-on (done) requires a directory (in progress); a
    cancelled one. Sign-on has two gains of one effect (written twice, differently
    spaced) and a quality gain of another; the directory one gain; cancelled none."""
    directory = saved(
        Action(
            title="Common directory",
            owner="ICT lead",
            start=D(2025, 1, 1),
            deadline=D(2025, 6, 30),
            status=ActionStatus.IN_PROGRESS,
        )
    )
    sign_on = saved(
        Action(
            title="Single sign-on <for all> & more",
            owner="ICT lead",
            start=D(2025, 3, 1),
            deadline=D(2025, 12, 31),
            status=ActionStatus.DONE,
        )
    )
    cancelled = saved(
        Action(
            title="Own print server",
            owner="ICT lead",
            start=D(2025, 1, 1),
            deadline=D(2026, 3, 31),
            status=ActionStatus.CANCELLED,
        )
    )
    sign_on.prerequisites.add(directory)
    satisfaction = saved(Indicator(name="User satisfaction", unit=IndicatorUnit.SCORE))

    def gain(action, effect, type_, **fields):
        return saved(
            Gain(
                action=action, effect=effect, type=type_, first_year=2026, last_year=2028, **fields
            )
        )

    resets = gain(sign_on, EVIL, GainType.BUDGET_SAVING)
    hours = gain(sign_on, EVIL.replace(" ", "  "), GainType.TIME_SAVED, hourly_rate=Decimal("500"))
    happier = gain(sign_on, "Happier users", GainType.QUALITY, indicator=satisfaction)
    licences = gain(directory, "One licence pool", GainType.AVOIDED_COST)
    for municipality, amount in ((municipality_a, "120000.00"), (municipality_b, "30000.00")):
        saved(
            GainShare(
                gain=resets, municipality=municipality, owner="CFO", expected_amount=Decimal(amount)
            )
        )
    saved(
        GainShare(
            gain=hours, municipality=municipality_a, owner="CFO", expected_hours=Decimal("10")
        )
    )
    saved(
        GainShare(
            gain=licences, municipality=municipality_b, owner="CFO", expected_amount=Decimal("7000")
        )
    )
    return {
        "actions": [directory, sign_on, cancelled],
        "gains": [resets, hours, happier, licences],
    }


def parse(svg) -> etree._Element:
    return etree.fromstring(str(svg).encode())


def nodes(root, kind):
    return root.findall(f".//{SVG}g[@class='node {kind}']")


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())


def test_a_node_per_action_effect_and_gain_with_arrows_between(plan, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        svg = benefit_map_svg(actions=Action.objects.all())
    root = parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert "3 actions, 3 effects, 4 gains" in root.get("aria-label")
    assert len(nodes(root, "action")) == 3
    # Sign-on's two spellings of one effect are one effect; directory's one.
    assert len(nodes(root, "effect")) == 3
    assert {g.get("id") for g in nodes(root, "gain")} == {f"bm-gain-{g.pk}" for g in plan["gains"]}
    solid = root.findall(f".//{SVG}path[@class='edge leads-to']")
    assert len(solid) == 3 + 4  # action → effect, effect → gain
    assert all(p.get("stroke-dasharray") is None for p in solid)
    for node in root.iter(f"{SVG}g"):
        if "node" in (node.get("class") or ""):
            assert node.find(f"{SVG}title") is not None
    assert not root.findall(f".//{SVG}script")


def test_prerequisites_are_dashed_arrows_between_actions(plan):
    directory, sign_on, _cancelled = plan["actions"]
    root = parse(benefit_map_svg(actions=Action.objects.all()))
    (edge,) = root.findall(f".//{SVG}path[@class='edge prerequisite']")
    assert edge.get("stroke-dasharray")
    assert (edge.get("data-from"), edge.get("data-to")) == (
        f"bm-action-{directory.pk}",
        f"bm-action-{sign_on.pk}",
    )
    # Without the prerequisite in the set, no arrow to nowhere.
    alone = parse(benefit_map_svg(actions=Action.objects.filter(pk=sign_on.pk)))
    assert not alone.findall(f".//{SVG}path[@class='edge prerequisite']")


def test_status_words_types_and_expected_totals_are_written(plan):
    root = parse(benefit_map_svg(actions=Action.objects.all()))
    actions = {text_of(node) for node in nodes(root, "action")}
    assert any("Done" in text for text in actions)
    assert any("In progress" in text for text in actions)
    assert any("Cancelled" in text for text in actions)
    gains = " | ".join(text_of(node) for node in nodes(root, "gain"))
    assert "Direct budget saving" in gains
    assert "150,000.00" in gains  # 120 000 + 30 000 over both members
    assert "5,000.00" in gains  # 10 hours × 500
    assert "User satisfaction" in gains
    legend = text_of(root.find(f".//{SVG}g[@class='legend']"))
    assert "required" in legend


def test_restricted_shares_give_a_municipality_only_its_own_totals(plan, municipality_b):
    shares = GainShare.objects.filter(municipality=municipality_b)
    root = parse(benefit_map_svg(actions=Action.objects.all(), shares=shares))
    gains = " | ".join(text_of(node) for node in nodes(root, "gain"))
    assert "30,000.00" in gains
    assert "150,000.00" not in gains


def test_user_text_is_escaped(plan):
    svg = str(benefit_map_svg(actions=Action.objects.all()))
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "Single sign-on &lt;for all&gt; &amp; more" in svg
    root = parse(svg)  # and it still parses
    titles = [text_of(t) for t in root.iter(f"{SVG}title")]
    assert any('Fewer <script>alert("x")</script> resets & calls' in t for t in titles)


def test_the_same_data_draws_the_same_bytes(plan):
    first = str(benefit_map_svg(actions=Action.objects.all()))
    second = str(benefit_map_svg(actions=Action.objects.order_by("-pk")))
    assert first == second


def test_an_empty_plan_says_so(db):
    root = parse(benefit_map_svg(actions=Action.objects.none()))
    assert "No actions in the plan yet." in text_of(root)
    assert not nodes(root, "action")

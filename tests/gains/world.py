"""A small gains world built with the gains services, for every gains test to reuse.

Three members (Fjordvik and Elvdal from the shared fixtures, Havbygd made here), all
joined on 1 January 2024:

- Cost index 2023: 100, 2024: 104, 2025: 108.
- Baselines (2023): Fjordvik staff 2 FTE × 750,000 = 1,500,000 and licences 400,000;
  Elvdal licences 120,000. Fjordvik's incidents per 100 users were 12.5 (30 June 2023).
- The collaboration spent 250,000 unbilled on its board in 2025.
- Actions: "Shared service desk" (all members, in progress, 2024–mid 2025, one
  milestone); "Elvdal migration" (Elvdal only, planned, requires the service desk);
  "Abandoned pilot" (all members, cancelled).
- Gains (expected per year → measured):
  - licences (budget saving, 2025–2027) of the service desk: Fjordvik 120,000 →
    50,000 (30 Jun 2025) + 60,000 (31 Dec 2025) + 25,000 (31 Mar 2026); Elvdal 30,000 →
    30,000 (31 Dec 2025);
  - time saved (650 kr/h, 2025–2026) of the service desk: Havbygd 200 h = 130,000 →
    80 h = 52,000 (30 Sep 2025);
  - user satisfaction (quality, a percentage, baseline 60 → target 80) of the service
    desk: Fjordvik (no amount) → 72 (31 Dec 2025);
  - avoided cost (2026) of the Elvdal migration: Elvdal 40,000 → 10,000 (31 May 2026);
  - a budget saving (2025–2026) of the cancelled pilot: Fjordvik 10,000 (never planned).

Planned vs realised, worked out by hand:
- 2025: planned 120,000 + 30,000 + 130,000 = 280,000; realised 110,000 + 30,000 +
  52,000 = 192,000.
- 2026: planned 120,000 + 30,000 + 130,000 + 40,000 = 320,000; realised 25,000 + 10,000
  = 35,000.
- Q1 2026: planned 30,000 + 7,500 + 32,500 + 10,000 = 80,000; realised 25,000.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from samdrift.gains import services
from samdrift.gains.choices import ActionStatus, CostCategory, GainType, IndicatorUnit
from samdrift.gains.models import (
    Action,
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Gain,
    GainShare,
    Indicator,
    IndicatorBaseline,
    Measurement,
    Milestone,
)
from samdrift.organisations.models import Municipality
from tests import factories

D = datetime.date
M = Decimal
JOINED = D(2024, 1, 1)


@dataclass
class GainsWorld:
    fjordvik: Municipality
    elvdal: Municipality
    havbygd: Municipality
    incidents: Indicator
    satisfaction: Indicator
    desk: Action
    migration: Action
    pilot: Action
    licences: Gain
    time_saved: Gain
    quality: Gain
    avoided: Gain
    pilot_gain: Gain
    fjordvik_licences: GainShare
    elvdal_licences: GainShare
    havbygd_time: GainShare
    elvdal_avoided: GainShare


def _share(gain, municipality, owner, **fields) -> GainShare:
    return services.save_share(
        share=GainShare(gain=gain, municipality=municipality, owner=owner), changes=fields
    )


def _measure(gain, municipality, on, **fields) -> Measurement:
    return services.save_measurement(
        measurement=Measurement(
            gain=gain, municipality=municipality, measured_on=on, source="Ledger"
        ),
        changes=fields,
    )


def build_gains_world(
    fjordvik: Municipality | None = None, elvdal: Municipality | None = None
) -> GainsWorld:
    fjordvik = fjordvik or factories.make_municipality(name="Fjordvik", joined_on=JOINED)
    elvdal = elvdal or factories.make_municipality(name="Elvdal", joined_on=JOINED)
    havbygd = factories.make_municipality(name="Havbygd", joined_on=JOINED)

    for year, value in ((2023, "100"), (2024, "104"), (2025, "108")):
        services.save_cost_index(index=CostIndex(year=year, value=M(value), source="SSB"))
    incidents = services.save_indicator(
        indicator=Indicator(
            name="Incidents per 100 users",
            unit=IndicatorUnit.PER_100_USERS,
            higher_is_better=False,
        )
    )
    satisfaction = services.save_indicator(
        indicator=Indicator(name="User satisfaction", unit=IndicatorUnit.PERCENT)
    )
    services.save_baseline_cost(
        cost=BaselineCost(municipality=fjordvik, year=2023, category=CostCategory.STAFF),
        changes={"fte": M("2"), "cost_per_fte": M("750000"), "amount": M("0")},
    )
    services.save_baseline_cost(
        cost=BaselineCost(
            municipality=fjordvik, year=2023, category=CostCategory.LICENCES, amount=M("400000")
        )
    )
    services.save_baseline_cost(
        cost=BaselineCost(
            municipality=elvdal, year=2023, category=CostCategory.LICENCES, amount=M("120000")
        )
    )
    services.save_indicator_baseline(
        baseline=IndicatorBaseline(
            municipality=fjordvik, indicator=incidents, value=M("12.5"), measured_on=D(2023, 6, 30)
        )
    )
    services.save_collaboration_cost(
        cost=CollaborationCost(year=2025, amount=M("250000"), description="Board")
    )

    desk = services.save_action(
        action=Action(
            title="Shared service desk",
            owner="Head of ICT",
            start=D(2024, 1, 1),
            deadline=D(2025, 6, 30),
            status=ActionStatus.IN_PROGRESS,
            budget=M("500000"),
            cost_to_date=M("320000"),
        )
    )
    services.save_milestone(
        milestone=Milestone(
            action=desk, title="Desk opens", due=D(2024, 9, 1), done_on=D(2024, 9, 2)
        )
    )
    migration = services.save_action(
        action=Action(
            title="Elvdal migration",
            owner="Elvdal's ICT lead",
            all_municipalities=False,
            start=D(2025, 1, 1),
            deadline=D(2026, 6, 30),
        ),
        municipalities=[elvdal],
        prerequisites=[desk],
    )
    pilot = services.save_action(
        action=Action(
            title="Abandoned pilot",
            owner="Head of ICT",
            start=D(2024, 3, 1),
            deadline=D(2024, 12, 31),
            status=ActionStatus.CANCELLED,
        )
    )

    licences = services.save_gain(
        gain=Gain(
            action=desk,
            effect="Fewer licences",
            type=GainType.BUDGET_SAVING,
            first_year=2025,
            last_year=2027,
        )
    )
    time_saved = services.save_gain(
        gain=Gain(
            action=desk,
            effect="Fewer password resets",
            type=GainType.TIME_SAVED,
            hourly_rate=M("650"),
            first_year=2025,
            last_year=2026,
        )
    )
    quality = services.save_gain(
        gain=Gain(
            action=desk,
            effect="Happier users",
            type=GainType.QUALITY,
            indicator=satisfaction,
            baseline_value=M("60"),
            baseline_date=D(2024, 1, 1),
            target_value=M("80"),
            target_date=D(2026, 12, 31),
            first_year=2025,
            last_year=2026,
        )
    )
    avoided = services.save_gain(
        gain=Gain(
            action=migration,
            effect="No new local server",
            type=GainType.AVOIDED_COST,
            first_year=2026,
            last_year=2026,
        )
    )
    pilot_gain = services.save_gain(
        gain=Gain(
            action=pilot,
            effect="Cheaper printing",
            type=GainType.BUDGET_SAVING,
            first_year=2025,
            last_year=2026,
        )
    )

    fjordvik_licences = _share(licences, fjordvik, "Kari", expected_amount=M("120000"))
    elvdal_licences = _share(licences, elvdal, "Ola", expected_amount=M("30000"))
    havbygd_time = _share(time_saved, havbygd, "Per", expected_hours=M("200"))
    _share(quality, fjordvik, "Kari")
    elvdal_avoided = _share(avoided, elvdal, "Ola", expected_amount=M("40000"))
    _share(pilot_gain, fjordvik, "Kari", expected_amount=M("10000"))

    _measure(licences, fjordvik, D(2025, 6, 30), amount=M("50000"))
    _measure(licences, fjordvik, D(2025, 12, 31), amount=M("60000"))
    _measure(licences, fjordvik, D(2026, 3, 31), amount=M("25000"))
    _measure(licences, elvdal, D(2025, 12, 31), amount=M("30000"))
    _measure(time_saved, havbygd, D(2025, 9, 30), hours=M("80"))
    _measure(quality, fjordvik, D(2025, 12, 31), value=M("72"))
    _measure(avoided, elvdal, D(2026, 5, 31), amount=M("10000"))

    return GainsWorld(
        fjordvik=fjordvik,
        elvdal=elvdal,
        havbygd=havbygd,
        incidents=incidents,
        satisfaction=satisfaction,
        desk=desk,
        migration=migration,
        pilot=pilot,
        licences=licences,
        time_saved=time_saved,
        quality=quality,
        avoided=avoided,
        pilot_gain=pilot_gain,
        fjordvik_licences=fjordvik_licences,
        elvdal_licences=elvdal_licences,
        havbygd_time=havbygd_time,
        elvdal_avoided=elvdal_avoided,
    )

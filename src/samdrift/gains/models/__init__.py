"""Gains realisation: what each member cost alone, the improvement and action plan, and the
gains its actions are expected to bring and do bring — the way Norwegian municipalities
work with "gevinstrealisering" (baseline, gains owner, indicators, planned vs realised).

- ``CostIndex``: a yearly cost index (e.g. the municipal deflator), to carry a baseline
  forward to a later year.
- ``BaselineCost``: a municipality's ICT cost alone in one year, per category — its
  baseline ("nullpunkt"). Staff is full-time equivalents × cost per FTE (computed).
- ``Indicator`` / ``IndicatorBaseline``: what is measured (incidents per 100 users,
  availability, …) and a municipality's value before the collaboration changed it.
- ``CollaborationCost``: what the collaboration spends in a year that it does not bill
  (the board, a project paid from reserves), for the collaboration's whole account.
- ``Action`` / ``Milestone``: the improvement and action plan; an action concerns all
  members or some, may need other actions done first, and links the solutions and
  services it concerns.
- ``Gain``: an effect of an action and how it is valued; ``GainShare`` its gains owner
  and expected yearly amount in one municipality, and whether that has been taken out of
  the municipality's budget; ``Measurement`` what was realised, when, from which source.

Amounts are kroner excluding VAT, like the invoices' net totals they are compared with.

The models live in modules by concern (``baselines``, ``plan``, ``gains``); Django finds
them here.
"""

from samdrift.gains.models.baselines import (
    BaselineCost,
    CollaborationCost,
    CostIndex,
    Indicator,
    IndicatorBaseline,
    check_percent,
)
from samdrift.gains.models.fields import FIRST_YEAR, LAST_YEAR, value_field, year_field
from samdrift.gains.models.gains import MEASUREMENT_ROLES, Gain, GainShare, Measurement
from samdrift.gains.models.plan import Action, Milestone

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "MEASUREMENT_ROLES",
    "Action",
    "BaselineCost",
    "CollaborationCost",
    "CostIndex",
    "Gain",
    "GainShare",
    "Indicator",
    "IndicatorBaseline",
    "Measurement",
    "Milestone",
    "check_percent",
    "value_field",
    "year_field",
]

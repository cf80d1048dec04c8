"""Pure money maths: annuities, book values, proration, allocation and indexation.

Plain functions of ``Decimal`` and ``date`` with keyword-only arguments and no Django
imports, so billing, pricing and reports share one implementation of each rule in
DESIGN.md ("The money rules") and it can be property-tested in isolation.
Results keep full precision unless a function says it rounds; rounding to the øre happens
once, where an amount is written (``round_to_ore``).
"""

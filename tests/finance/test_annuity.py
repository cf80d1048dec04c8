from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from samdrift.finance.annuity import annuity_payment
from samdrift.finance.money import round_to_ore


def test_textbook_example_in_arrears():
    # DESIGN.md: PV 12 000, FV 1 200, 5 % a year, 36 months → 328.6857… (numpy-financial pmt).
    payment = annuity_payment(
        present_value=Decimal("12000"),
        annual_rate=Decimal("0.05"),
        months=36,
        residual_value=Decimal("1200"),
    )
    assert payment.quantize(Decimal("0.0001")) == Decimal("328.6857")
    assert round_to_ore(payment) == Decimal("328.69")


def test_in_advance_is_arrears_discounted_one_month():
    kwargs = dict(
        present_value=Decimal("12000"),
        annual_rate=Decimal("0.05"),
        months=36,
        residual_value=Decimal("1200"),
    )
    arrears = annuity_payment(**kwargs)
    advance = annuity_payment(**kwargs, in_advance=True)
    assert advance < arrears
    assert abs(advance * (1 + Decimal("0.05") / 12) - arrears) < Decimal("1e-20")
    assert round_to_ore(advance) == Decimal("327.32")


def test_zero_rate_is_straight_repayment():
    payment = annuity_payment(
        present_value=Decimal("12000"),
        annual_rate=Decimal("0"),
        months=36,
        residual_value=Decimal("1200"),
    )
    assert payment == Decimal("300")
    # Zero rate: in advance and in arrears are the same.
    assert (
        annuity_payment(
            present_value=Decimal("12000"),
            annual_rate=Decimal("0"),
            months=36,
            residual_value=Decimal("1200"),
            in_advance=True,
        )
        == payment
    )


def test_no_residual_default():
    payment = annuity_payment(
        present_value=Decimal("10000"), annual_rate=Decimal("0.06"), months=12
    )
    # Standard loan table value: 10 000 at 6 %/12 over 12 months → 860.66 a month.
    assert round_to_ore(payment) == Decimal("860.66")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"present_value": Decimal("-1")}, "present_value"),
        ({"annual_rate": Decimal("-1")}, "annual_rate"),
        ({"annual_rate": Decimal("-1.5")}, "annual_rate"),
        ({"months": 0}, "months"),
        ({"months": -12}, "months"),
        ({"residual_value": Decimal("-1")}, "residual_value"),
        ({"residual_value": Decimal("12000.01")}, "residual_value"),
    ],
)
def test_bad_input_names_the_argument(kwargs, field):
    base = dict(
        present_value=Decimal("12000"),
        annual_rate=Decimal("0.05"),
        months=36,
        residual_value=Decimal("0"),
    )
    with pytest.raises(ValueError, match=field):
        annuity_payment(**{**base, **kwargs})


def test_negative_rate_pays_less_than_straight_repayment():
    # Above -100 % a year the identity holds: 12 000 over 12 months at -12 % a year
    # (-1 % a month) repays less than 1 000 a month; by hand, i = -0.01, g = 0.99**12:
    # payment = 12 000 · g · i / (g - 1) = 936.20 to the øre.
    payment = annuity_payment(
        present_value=Decimal("12000"), annual_rate=Decimal("-0.12"), months=12
    )
    i = Decimal("-0.01")
    growth = (1 + i) ** 12
    assert round_to_ore(payment) == round_to_ore(12000 * growth * i / (growth - 1))
    assert round_to_ore(payment) == Decimal("936.20")
    assert payment < Decimal("1000")


def test_float_is_refused():
    with pytest.raises(TypeError, match="present_value"):
        annuity_payment(present_value=12000.0, annual_rate=Decimal("0.05"), months=36)


money = st.decimals(min_value=Decimal("1"), max_value=Decimal("1000000"), places=2)
rates = st.decimals(min_value=Decimal("-0.99"), max_value=Decimal("0.25"), places=4)


@given(
    pv=money,
    residual_share=st.decimals(min_value=Decimal("0"), max_value=Decimal("1"), places=2),
    rate=rates,
    months=st.integers(min_value=1, max_value=120),
    in_advance=st.booleans(),
)
def test_payments_discount_back_to_the_financed_value(pv, residual_share, rate, months, in_advance):
    fv = pv * residual_share
    payment = annuity_payment(
        present_value=pv,
        annual_rate=rate,
        months=months,
        residual_value=fv,
        in_advance=in_advance,
    )
    i = rate / 12
    v = 1 / (1 + i)
    # Payment k falls at the end of month k (arrears) or at its start (advance).
    first = 0 if in_advance else 1
    discounted = sum(payment * v ** (k + first) for k in range(months)) + fv * v**months
    assert abs(discounted - pv) < Decimal("1e-12") * max(pv, 1)
    if rate >= 0:
        assert payment >= 0

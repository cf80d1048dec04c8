from hypothesis import given
from hypothesis import strategies as st
from stdnum import luhn

from samdrift.billing.kid import MOD10, MOD11, is_valid_kid, make_kid, mod11_check_digit


def test_known_check_digits():
    assert make_kid(municipality_number="4601", year=2026, sequence=1, algorithm=MOD10) == (
        "4601260000001" + luhn.calc_check_digit("4601260000001")
    )
    assert mod11_check_digit("1234567") == "4"  # 7·2+6·3+5·4+4·5+3·6+2·7+1·2 = 106; 11 − 7


@given(st.integers(min_value=1, max_value=9_999_999), st.sampled_from([MOD10, MOD11]))
def test_every_kid_is_valid_and_unique_per_sequence(sequence, algorithm):
    kid = make_kid(municipality_number="4601", year=2026, sequence=sequence, algorithm=algorithm)
    assert kid.isdigit()
    assert is_valid_kid(kid, algorithm)
    other = make_kid(
        municipality_number="4601",
        year=2026,
        sequence=sequence % 9_999_999 + 1,
        algorithm=algorithm,
    )
    assert other != kid


def test_a_wrong_check_digit_is_refused():
    kid = make_kid(municipality_number="4601", year=2026, sequence=42, algorithm=MOD10)
    wrong = kid[:-1] + str((int(kid[-1]) + 1) % 10)
    assert not is_valid_kid(wrong, MOD10)

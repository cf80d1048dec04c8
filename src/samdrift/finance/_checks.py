"""Argument checks shared by the finance functions: each error names the argument."""

from decimal import Decimal


def require_non_negative(name: str, value: Decimal | int) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative (got {value}).")


def require_positive(name: str, value: Decimal | int) -> None:
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero (got {value}).")


def require_finite(name: str, value: Decimal) -> None:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}.")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number (got {value}).")

"""Argument types shared by the management commands; argparse names the type in its error message."""

from __future__ import annotations


def positive_int(value: str) -> int:
    """A whole number of at least 1 (argparse reports "invalid positive_int value: '0'")."""
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number

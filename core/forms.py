"""Form fields shared by the apps: an id is plain ASCII digits, nothing that `int()` or `isdigit()` would
also take ("-1", "+1", " 1", "²", "١")."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError

_ID = re.compile(r"[0-9]{1,18}")  # 18 digits stay inside a 64-bit primary key


def parse_id(value: str, *, what: str = "id") -> int:
    """`value` as a row id, or a ValidationError that quotes it and says what an id looks like."""
    text = str(value)
    if not _ID.fullmatch(text) or int(text) < 1:
        raise ValidationError(
            f"A {what} is a whole number of 1 or more written with the digits 0–9, such as 42; got {text!r}.",
            code="invalid",
        )
    return int(text)


class IdField(forms.Field):
    """An optional or required row id, parsed by `parse_id` (the form's IntegerField accepts signs)."""

    def __init__(self, *, what: str = "id", **kwargs):
        self.what = what
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return parse_id(value, what=self.what)

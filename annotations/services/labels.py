"""Making labels: every way in (the ingest command, the admin, an API) checks the name and colour with the
model's validators, so no label can exist that a URL, a stylesheet or an export cannot carry."""

from __future__ import annotations

from annotations.models import Label


def label_get_or_create(*, name: str, description: str = "", color: str = "#cccccc") -> tuple[Label, bool]:
    """The label called `name`, made if missing; raises ValidationError (with the rule) for a bad name or
    colour before anything is written. Two callers making one name at once get the same row."""
    Label(name=name, description=description, color=color).full_clean(validate_unique=False)
    return Label.objects.get_or_create(name=name, defaults={"description": description, "color": color})

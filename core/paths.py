"""`reverse_path(name, *ids)`: reverse() for URLs whose arguments are ids, at a dict lookup a call.

reverse() tries every candidate pattern of a name against its arguments, about 20 µs a call, and a
reader page has thirty URLs. Here each (name, number of arguments) is reversed once with marker
numbers in the arguments' places; later calls write the ids where the markers were, which is what
reverse() gives, since an int converter writes str(n) for any n. Anything else (a non-int argument,
a name whose markers do not come out once each) goes to reverse() itself.
"""

from __future__ import annotations

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, get_urlconf, reverse

_MARKER = 7_305_918_264_000  # marker i is _MARKER + i: a number no path of this project spells
_templates: dict[tuple, tuple[str, ...] | None] = {}


def _template(name: str, arity: int, current_app: str | None, key: tuple) -> tuple[str, ...] | None:
    """The reversed path split at the markers, or None when the markers do not each appear once."""
    markers = [str(_MARKER + i) for i in range(arity)]
    path = reverse(name, args=markers, current_app=current_app)
    parts: list[str] = []
    for marker in markers:
        if path.count(marker) != 1:
            return None
        head, path = path.split(marker)
        parts.append(head)
    return (*parts, path)


def reverse_path(name: str, *args, current_app: str | None = None) -> str:
    """reverse(name, args=args), from the memo when every argument is an int."""
    if not all(type(arg) is int for arg in args):
        return reverse(name, args=args, current_app=current_app)
    # The script prefix and the urlconf are per request (SCRIPT_NAME, request.urlconf): part of the key.
    key = (name, len(args), current_app, get_script_prefix(), get_urlconf())
    try:
        parts = _templates[key]
    except KeyError:
        parts = _templates[key] = _template(name, len(args), current_app, key)
    if parts is None:
        return reverse(name, args=args, current_app=current_app)
    out = [parts[0]]
    for arg, part in zip(args, parts[1:], strict=True):
        out += [str(arg), part]
    return "".join(out)


@receiver(setting_changed)
def _forget(*, setting: str, **kwargs) -> None:
    # Tests swap the URLconf with override_settings; Django clears its own URL caches then too.
    if setting == "ROOT_URLCONF":
        _templates.clear()

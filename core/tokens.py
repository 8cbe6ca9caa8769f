"""API tokens: make one (the key is shown once), revoke one or all, and find the account a key belongs to.

A key is 40 random URL-safe characters behind the prefix `fab_`; only its SHA-256 is stored. High-entropy
keys need no slow password hash: guessing one is hopeless, and a lookup by hash is one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.models import ApiToken

PREFIX = "fab_"
NAME_MAX_CHARS = 100
# last_used_at is written at most this often, so a busy script does not add a write to every read.
TOUCH_EVERY = timedelta(minutes=1)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns (row, key). The key is not stored and cannot be shown again."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError("Give the token a name that says what it is for, e.g. “training job”.")
    if len(name) > NAME_MAX_CHARS:
        raise ValidationError(
            f"Token names are at most {NAME_MAX_CHARS} characters; this one has {len(name)}."
        )
    if not user.is_active:
        raise ValidationError(
            f"{user.get_username()} is inactive; activate the account before giving it a token."
        )
    key = PREFIX + secrets.token_urlsafe(30)
    token = ApiToken.objects.create(user=user, name=name, key_hash=key_hash(key), prefix=key[:12])
    return token, key


def token_revoke(*, user, token_id: int) -> bool:
    """Delete one of `user`'s own tokens; False when `user` has no such token (someone else's included)."""
    return ApiToken.objects.filter(user=user, pk=token_id).delete()[0] > 0


def tokens_revoke_all(*, user) -> int:
    """Delete every token of `user`; returns how many there were."""
    return ApiToken.objects.filter(user=user).delete()[0]


def token_list(*, user):
    return ApiToken.objects.filter(user=user)


def token_authenticate(key: str) -> ApiToken | None:
    """The token whose key this is, with its active user, or None (unknown key, inactive account)."""
    if not key or not key.startswith(PREFIX):
        return None
    # order_by(): one row by a unique key needs no ORDER BY (first() would add one).
    token = next(
        iter(ApiToken.objects.select_related("user").filter(key_hash=key_hash(key)).order_by()[:1]), None
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

"""Names unique per owner regardless of case (labels, projects).

A database constraint holds them on MySQL 8 and SQLite (a functional index on the
lower-cased name); MariaDB has no functional index, so the check before the save is
what holds there, under the owner's lock the caller takes. Either way the refusal
is the caller's own error.
"""

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

Named = TypeVar("Named", bound=models.Model)


def save_with_unique_name(obj: Named, refusal: Callable[[], Exception]) -> Named:
    """Save ``obj`` (with ``owner_id`` and ``name``) unless its owner has another of that name, any case."""
    model = type(obj)
    same_name = model._default_manager.filter(
        owner_id=obj.owner_id,  # type: ignore[attr-defined]
        name__iexact=obj.name,  # type: ignore[attr-defined]
    )
    if obj.pk is not None:
        same_name = same_name.exclude(pk=obj.pk)
    if same_name.exists():
        raise refusal()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:  # a concurrent request took the name first
        raise refusal() from exc
    return obj

"""Object ids in paths and bodies: positive and within the database's BIGINT.

A larger number cannot name any object; without these bounds it reached the
database driver and failed there (a 500) instead of answering 404 or 400.
"""

from typing import Any

from django.urls import register_converter
from rest_framework import serializers

MAX_ID = 2**63 - 1


class IdConverter:
    """``<id:task_id>``: up to 18 digits (always below MAX_ID); anything longer is no route, a 404."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(IdConverter, "id")


def id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)

"""Personal access tokens as the API shows them, and what making one takes."""

from typing import Any

from rest_framework import serializers

from accounts.personal_tokens.models import PersonalAccessToken
from accounts.serializers import password_field
from tms_project.api.ids import id_field
from tms_project.api.strict import RejectUnknownFieldsMixin
from tms_project.personal_tokens.scopes import SCOPES, TASKS_READ, TASKS_WRITE, WEBHOOKS_MANAGE

MAX_EXPIRY_DAYS = 366


def scope_list(**kwargs: Any) -> serializers.ListField:
    return serializers.ListField(child=serializers.ChoiceField(choices=SCOPES), **kwargs)


class TokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its secret (only its first characters, ``hint``)."""

    scopes = scope_list(read_only=True)
    project = serializers.IntegerField(source="project_id", read_only=True, allow_null=True)

    class Meta:
        model = PersonalAccessToken
        fields = ["id", "name", "hint", "scopes", "project", "created_at", "last_used_at", "expires_at"]
        read_only_fields = fields


class NewTokenSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The secret: shown in this answer only.")

    class Meta(TokenSerializer.Meta):
        fields = [*TokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


class TokenCreateSerializer(RejectUnknownFieldsMixin, serializers.Serializer):
    password = password_field(
        help_text="Your password: an access token alone cannot make a lasting credential."
    )
    name = serializers.CharField(
        min_length=1, max_length=100, help_text="What the token is for, 1–100 characters."
    )
    scopes = scope_list(
        allow_empty=False,
        max_length=len(SCOPES),
        help_text=(
            "tasks:read (every GET), tasks:write (every write too), webhooks:manage (with tasks:read "
            "or tasks:write: a webhook's deliveries show the tasks' data)."
        ),
    )
    project = id_field(
        required=False, allow_null=True, help_text="Confine the token to one project you are a member of."
    )
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        required=False,
        allow_null=True,
        help_text="Days until the token expires; absent or null: never.",
    )

    def validate_scopes(self, scopes: list[str]) -> list[str]:
        # Managing webhooks reads what they deliver (task snapshots, comments): it is not less than
        # reading tasks, so a token that manages them must say it reads them too.
        if WEBHOOKS_MANAGE in scopes and not {TASKS_READ, TASKS_WRITE} & set(scopes):
            raise serializers.ValidationError(
                "webhooks:manage needs tasks:read (or tasks:write): a webhook's deliveries show your tasks."
            )
        return scopes

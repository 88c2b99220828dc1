"""Request and response bodies of /api/auth/. Validation only; writes live in services."""

from typing import Any

from django.conf import settings
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from accounts.models import AuthSession, User
from accounts.validators import validate_time_zone
from tms_project.api.strict import RejectUnknownFieldsMixin, TextOnlyMixin


def password_field(**kwargs: Any) -> serializers.CharField:
    # The length cap is checked here, before any hashing can happen.
    return serializers.CharField(
        max_length=settings.TMS_PASSWORD_MAX_LENGTH, trim_whitespace=False, write_only=True, **kwargs
    )


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "display_name", "time_zone", "date_joined"]
        read_only_fields = ["id", "date_joined"]


class UserUpdateSerializer(RejectUnknownFieldsMixin, serializers.ModelSerializer):
    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])
    current_password = password_field(
        required=False, help_text="Required to change the username (re-authentication)."
    )

    class Meta:
        model = User
        fields = ["username", "display_name", "time_zone", "current_password"]
        # Uniqueness (any case, any look-alike) is checked by the service; the character rules stay here.
        extra_kwargs = {"username": {"validators": [User.username_validator]}}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict) and "email" in data:
            raise serializers.ValidationError(
                {
                    "email": [
                        "Change the email address with POST /api/auth/email/change/ (needs the password)."
                    ]
                }
            )
        return super().to_internal_value(data)

    def validate(self, attrs: dict) -> dict:
        changes_name = "username" in attrs and attrs["username"] != getattr(self.instance, "username", None)
        if changes_name and not attrs.get("current_password"):
            raise serializers.ValidationError(
                {"current_password": ["Enter your current password to change your username."]}
            )
        if not changes_name:
            attrs.pop("username", None)
        return attrs


class EmailChangeSerializer(TextOnlyMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254, help_text="The new address; it gets a confirmation link.")
    current_password = password_field()


class EmailLinkSerializer(TextOnlyMixin, serializers.Serializer):
    token = serializers.CharField(max_length=1024, help_text="The token of the link from the mail.")


class RegisterSerializer(TextOnlyMixin, serializers.Serializer):
    username = serializers.CharField(max_length=150)
    email = serializers.EmailField(max_length=254)
    password = password_field()
    time_zone = serializers.CharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text="An IANA time zone (the web app sends the browser's); UTC when left out.",
    )

    def validate_username(self, value: str) -> str:
        User.username_validator(value)
        return value


class CookieFlagMixin(TextOnlyMixin, serializers.Serializer):
    use_cookie = serializers.BooleanField(
        default=False,
        help_text="Browsers: keep the refresh token in an HttpOnly cookie instead of the response body.",
    )


class LoginSerializer(CookieFlagMixin):
    username = serializers.CharField(max_length=254, help_text="The username or the email address.")
    password = password_field()


class RefreshSerializer(CookieFlagMixin):
    # Empty is the same as absent (the cookie, else no token: 401), not a malformed body (400).
    refresh = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=4096,
        help_text="Omit (or leave empty) when the refresh token is in the cookie.",
    )


class LogoutSerializer(TextOnlyMixin, serializers.Serializer):
    refresh = serializers.CharField(required=False, allow_blank=True, max_length=4096)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField(required=False, help_text="Absent when use_cookie was true.")


class LoginResponseSerializer(TokenPairSerializer):
    user = UserSerializer()


# How the second step of a sign-in can be given (POST /api/auth/login/2fa/).
SECOND_FACTOR_METHODS = ("totp", "recovery_code")


class MFARequiredSerializer(serializers.Serializer):
    """The first step's answer for an account with two-factor sign-in: no tokens yet."""

    mfa_required = serializers.BooleanField(
        help_text="Always true: send a code to POST /api/auth/login/2fa/."
    )
    mfa_token = serializers.CharField(help_text="For the second step; works once, for 5 minutes.")
    methods = serializers.ListField(child=serializers.ChoiceField(choices=SECOND_FACTOR_METHODS))


# A sign-in answers one of the two bodies; the schema says so (oneOf).
LOGIN_RESULT = PolymorphicProxySerializer(
    component_name="LoginResult",
    serializers=[LoginResponseSerializer, MFARequiredSerializer],
    resource_type_field_name=None,
)


class PasswordChangeSerializer(TextOnlyMixin, serializers.Serializer):
    current_password = password_field()
    new_password = password_field()


class PasswordResetSerializer(TextOnlyMixin, serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(TextOnlyMixin, serializers.Serializer):
    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)
    new_password = password_field()


class AccountDeleteSerializer(TextOnlyMixin, serializers.Serializer):
    password = password_field()


class SessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthSession
        fields = ["id", "created_at", "last_used_at", "expires_at", "user_agent", "ip_address", "current"]

    def get_current(self, session: AuthSession) -> bool:
        return session.pk == self.context.get("current_session_id")


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()

"""Request and response bodies of /api/auth/2fa/ and /api/auth/login/2fa/. Validation only."""

from typing import Any

from rest_framework import serializers

from accounts.serializers import password_field
from accounts.two_factor.models import RecoveryCode
from tms_project.api.strict import TextOnlyMixin

# Six digits, a recovery code (11 with its dash) or either with spaces people type: never longer.
CODE_MAX_LENGTH = 32


def code_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=CODE_MAX_LENGTH, trim_whitespace=True, write_only=True, **kwargs)


class TwoFactorStatusSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(help_text="Signing in takes a code from the authenticator app.")
    confirmed_at = serializers.DateTimeField(allow_null=True)
    recovery_codes_left = serializers.IntegerField(help_text="Unused recovery codes.")


class EnrolmentSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="Base32, for typing into an app that cannot scan the QR code.")
    otpauth_uri = serializers.CharField(help_text="The otpauth://totp/ URI the QR code holds.")
    qr_svg = serializers.CharField(help_text="The QR code of otpauth_uri: an inline <svg> element.")


class ConfirmSerializer(TextOnlyMixin, serializers.Serializer):
    password = password_field()
    code = code_field(help_text="The six digits the authenticator app shows now.")


class ReauthenticateSerializer(TextOnlyMixin, serializers.Serializer):
    password = password_field()
    code = code_field(help_text="Six digits from the authenticator app, or a recovery code.")


class RecoveryCodesSerializer(serializers.Serializer):
    recovery_codes = serializers.ListField(
        child=serializers.CharField(),
        min_length=RecoveryCode.COUNT,
        max_length=RecoveryCode.COUNT,
        help_text="Each works once. Shown only now; only their hashes are kept.",
    )


class LoginSecondStepSerializer(TextOnlyMixin, serializers.Serializer):
    mfa_token = serializers.CharField(
        max_length=128, write_only=True, help_text="From POST /api/auth/login/."
    )
    code = code_field(required=False, help_text="Six digits from the authenticator app.")
    recovery_code = code_field(required=False, help_text="Instead of code: one of the recovery codes.")

    def validate(self, attrs: dict) -> dict:
        if bool(attrs.get("code")) == bool(attrs.get("recovery_code")):
            raise serializers.ValidationError(
                {"code": ["Give either code (from the authenticator app) or recovery_code."]}
            )
        return attrs

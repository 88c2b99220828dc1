"""The admin's sign-in form: the password, then the code when the account has two-factor sign-in.

Without this the admin would be a way around the second factor. The code is
checked only after the password was right, and spends the same budgets as the
API's second step (mfa_ip, mfa_account); a refusal by those raises RateLimited,
which the admin site answers with 429. With ``TMS_ADMIN_REQUIRE_2FA`` staff
without a confirmed authenticator are refused, and told where to enable one.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError

from accounts.models import User
from accounts.two_factor.serializers import CODE_MAX_LENGTH
from accounts.two_factor.services import second_factor_accept, two_factor_enabled
from tms_project import ratelimit

TWO_FACTOR_REQUIRED = (
    "The admin requires two-factor sign-in. Enable it in the TMS web app (Settings, Two-factor "
    "sign-in), then sign in here with a code from your authenticator app."
)
CODE_MISSING = "This account uses two-factor sign-in: enter the code from your authenticator app."
CODE_WRONG = "The code is incorrect or has already been used."


class TwoFactorAdminAuthenticationForm(AdminAuthenticationForm):
    otp_code = forms.CharField(
        label="Code",
        required=False,
        max_length=CODE_MAX_LENGTH,
        help_text="From your authenticator app, or a recovery code; only if two-factor sign-in is on.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def confirm_login_allowed(self, user: User) -> None:
        super().confirm_login_allowed(user)  # active and staff, else Django's own refusal
        if not two_factor_enabled(user=user):
            if settings.TMS_ADMIN_REQUIRE_2FA:
                raise ValidationError(TWO_FACTOR_REQUIRED, code="two_factor_required")
            return
        code = self.cleaned_data.get("otp_code") or ""
        if not code:
            raise ValidationError(CODE_MISSING, code="code_required")
        if self.request is not None:
            ratelimit.hit(self.request, "mfa_ip")
            ratelimit.hit(self.request, "mfa_account", f"user:{user.pk}")
        if not second_factor_accept(user=user, code=code):
            raise ValidationError(CODE_WRONG, code="invalid_code")

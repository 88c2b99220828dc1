"""Two-factor sign-in, mounted at /api/auth/."""

from django.urls import path

from accounts.two_factor.views import (
    LoginSecondStepView,
    RecoveryCodesView,
    TOTPConfirmView,
    TOTPDisableView,
    TOTPEnrolView,
    TwoFactorStatusView,
)

urlpatterns = [
    path("2fa/", TwoFactorStatusView.as_view(), name="two-factor"),
    path("2fa/totp/", TOTPEnrolView.as_view(), name="two-factor-totp"),
    path("2fa/totp/confirm/", TOTPConfirmView.as_view(), name="two-factor-totp-confirm"),
    path("2fa/totp/disable/", TOTPDisableView.as_view(), name="two-factor-totp-disable"),
    path("2fa/recovery-codes/", RecoveryCodesView.as_view(), name="two-factor-recovery-codes"),
    path("login/2fa/", LoginSecondStepView.as_view(), name="login-two-factor"),
]

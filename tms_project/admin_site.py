"""The admin site: Django's, with sign-in attempts limited per address and per account.

Per account it uses the API's scheme (accounts.login_budget): a device that
signed in before keeps a budget of its own, so wrong passwords from elsewhere
cannot lock its owner out. An account with two-factor sign-in gives its code on
the sign-in page too (accounts.two_factor.admin_form), so the admin is no way
around it; the password attempt is given back only when the whole sign-in
succeeds. With TMS_ADMIN_REQUIRE_2FA, staff need two-factor sign-in to use the
admin at all, also in a session that began before the setting was turned on.
"""

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts.login_budget import login_attempt, login_succeeded
from accounts.selectors import user_find_by_login
from accounts.two_factor.admin_form import TwoFactorAdminAuthenticationForm
from accounts.two_factor.services import two_factor_enabled
from tms_project.ratelimit import LimiterUnavailable, RateLimited, hit


def _too_many(limited: RateLimited) -> HttpResponse:
    response = HttpResponse(
        "Too many login attempts. Try again later.", status=429, content_type="text/plain"
    )
    response["Retry-After"] = str(limited.retry_after)
    return response


def _unavailable() -> HttpResponse:
    """The counters cannot be reached: sign-in fails closed, as on the API."""
    response = HttpResponse(
        "Sign-in is unavailable for a moment. Try again shortly.", status=503, content_type="text/plain"
    )
    response["Retry-After"] = str(LimiterUnavailable.wait)
    return response


class TmsAdminSite(admin.AdminSite):
    site_header = "TMS administration"
    site_title = "TMS admin"
    login_form = TwoFactorAdminAuthenticationForm
    login_template = "tms/admin_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not settings.TMS_ADMIN_REQUIRE_2FA or two_factor_enabled(user=request.user)  # type: ignore[arg-type]

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method != "POST":
            return super().login(request, extra_context)
        name = str(request.POST.get("username", ""))[:254]
        user = user_find_by_login(name) if name.strip() else None
        try:
            hit(request, "admin_login_ip")
            attempts = login_attempt(request, user=user, login_name=name, prefix="admin_")
        except RateLimited as limited:
            return _too_many(limited)
        except LimiterUnavailable:
            return _unavailable()
        try:
            response = super().login(request, extra_context)
        except RateLimited as limited:  # the second factor's budgets (accounts.two_factor.admin_form)
            return _too_many(limited)
        except LimiterUnavailable:
            return _unavailable()
        if response.status_code == 302 and user is not None and request.user.pk == user.pk:
            login_succeeded(request, response, user=user, attempts=attempts)
        return response

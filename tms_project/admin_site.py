"""The admin site: Django's, with sign-in attempts limited per address and per account.

Per account it uses the API's scheme (accounts.login_budget): a device that
signed in before keeps a budget of its own, so wrong passwords from elsewhere
cannot lock its owner out.
"""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts.login_budget import login_attempt, login_succeeded
from accounts.selectors import user_find_by_login
from tms_project.ratelimit import RateLimited, hit


def _too_many(limited: RateLimited) -> HttpResponse:
    response = HttpResponse(
        "Too many login attempts. Try again later.", status=429, content_type="text/plain"
    )
    response["Retry-After"] = str(limited.retry_after)
    return response


class TmsAdminSite(admin.AdminSite):
    site_header = "TMS administration"
    site_title = "TMS admin"

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
        response = super().login(request, extra_context)
        if response.status_code == 302 and user is not None and request.user.pk == user.pk:
            login_succeeded(request, response, user=user, attempts=attempts)
        return response

"""The admin site: Django's, with login attempts rate limited per client IP."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from tms_project.ratelimit import RateLimited, hit


class TmsAdminSite(admin.AdminSite):
    site_header = "TMS administration"
    site_title = "TMS admin"

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        if request.method == "POST":
            try:
                hit(request, "admin_login_ip")
            except RateLimited as limited:
                response = HttpResponse(
                    "Too many login attempts. Try again later.", status=429, content_type="text/plain"
                )
                response["Retry-After"] = str(limited.retry_after)
                return response
        return super().login(request, extra_context)

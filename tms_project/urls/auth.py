"""TMS_SERVICE=auth: accounts API, Django admin (static files come from WhiteNoise)."""

from django.contrib import admin
from django.urls import include, path

from tms_project.urls.common import urlpatterns as common_urlpatterns

role_urlpatterns = [
    path("api/auth/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]

urlpatterns = [*role_urlpatterns, *common_urlpatterns]

# An error outside the API's own handling (e.g. in the outermost middleware): JSON under /api/ too.
handler500 = "tms_project.middleware.api_errors.server_error"

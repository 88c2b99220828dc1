"""TMS_SERVICE=all (local development): every route on one port."""

from django.urls import re_path

from tms_project.spa import spa_index
from tms_project.urls import auth, tasks
from tms_project.urls.common import urlpatterns as common_urlpatterns

urlpatterns = [
    *auth.role_urlpatterns,
    *tasks.role_urlpatterns,
    *common_urlpatterns,
    # Everything else is a page of the single-page app.
    re_path(r"^(?!api/|admin/|static/|assets/).*$", spa_index, name="spa"),
]

# An error outside the API's own handling (e.g. in the outermost middleware): JSON under /api/ too.
handler500 = "tms_project.middleware.api_errors.server_error"

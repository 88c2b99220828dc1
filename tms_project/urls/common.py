"""Routes every role serves: the OpenAPI schema of that role and its Swagger UI.

Production leaves them out unless TMS_API_DOCS=true (docs/decisions.md).
"""

from django.conf import settings
from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from tms_project.api.docs import SwaggerView

urlpatterns = (
    [
        path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
        path("api/docs/", SwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    ]
    if settings.TMS_API_DOCS
    else []
)

"""The Swagger UI page, fit for TMS's Content-Security-Policy.

drf-spectacular's split view serves the start-up script as a file of its own instead of inline,
and unlike the plain view it keeps the Cross-Origin-Opener-Policy (which only OAuth2 sign-in
pop-ups need relaxed; TMS has none). The template drops the page's inline styles.
"""

from drf_spectacular.views import SpectacularSwaggerSplitView


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "tms/swagger_ui.html"

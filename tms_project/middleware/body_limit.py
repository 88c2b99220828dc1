"""Refuse oversized request bodies with 413 before anything reads them."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from tms_project.api.errors import error_response

# The one endpoint that takes whole exports.
IMPORT_PATH = "/api/tasks/import/"


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.TMS_MAX_IMPORT_BYTES if request.path == IMPORT_PATH else settings.TMS_MAX_BODY_BYTES
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return error_response(400, message="The Content-Length header is not a number.")
        if length > limit:
            return error_response(413, message=f"The request body is larger than the limit of {limit} bytes.")
        return self.get_response(request)

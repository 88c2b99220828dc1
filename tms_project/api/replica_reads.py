"""Which API views read the replica, and how a write keeps its author's next reads on the primary.

A view with ``reads_on_replica = True`` runs its GET handler inside
``tms_project.db.replica_router.replica_reads()``: after authentication, permission checks and
rate limits (those read the primary), the handler's reads go to the replica unless its user wrote
within the read-your-writes window. Every successful POST, PUT, PATCH or DELETE pins its user to
the primary for that window. When the replica fails during the handler, the handler runs once
more on the primary: a replica outage costs a read a retry, never an error answer.
Without a replica configured, none of this reads or writes the cache.
"""

from contextlib import ExitStack
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from tms_project.db.replica_router import (
    failed_on_replica,
    pin_to_primary,
    replica_configured,
    replica_failed,
    replica_reads,
)


class ReplicaReadsMixin(APIView):
    # Whether this view's GET may read the replica (the task list, a task, stats, history, trash).
    reads_on_replica = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        # Whatever happens in the request, the replica is no longer allowed once it ends.
        with ExitStack() as self._replica_block:
            return super().dispatch(request, *args, **kwargs)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if self.reads_on_replica and request.method in ("GET", "HEAD") and replica_configured():
            self._replica_block.enter_context(replica_reads(self._user_id(request)))

    def handle_exception(self, exc: Exception) -> Response:
        if failed_on_replica(exc):
            replica_failed(exc)
            handler = getattr(self, str(self.request.method).lower(), self.http_method_not_allowed)
            try:
                return handler(self.request, *self.args, **self.kwargs)
            except Exception as again:  # noqa: BLE001 - answered as any error of the view is
                exc = again
        return super().handle_exception(exc)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in SAFE_METHODS and 200 <= response.status_code < 400 and replica_configured():
            pin_to_primary(self._user_id(request))
        return response

    @staticmethod
    def _user_id(request: Request) -> int:
        return int(request.user.id or 0)  # a success or a write: authenticated

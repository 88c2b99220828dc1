"""gunicorn logger writing JSON lines, like the application's own logs."""

import logging
from datetime import timedelta
from typing import Any

from gunicorn.glogging import Logger

from tms_project.jsonlog import JsonFormatter, request_id_var
from tms_project.redaction import redact_path


class JsonLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = JsonFormatter()
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        if not self.access_log_enabled:
            return
        request_id = next(
            (value for name, value in resp.headers or () if name.lower() == "x-request-id"), None
        )
        token = request_id_var.set(request_id)
        try:
            self._log_access(resp, environ, request_time)
        finally:
            request_id_var.reset(token)

    def _log_access(self, resp: Any, environ: dict[str, Any], request_time: timedelta) -> None:
        self.access_log.log(
            logging.INFO,
            "access",
            extra={
                "remote_addr": environ.get("REMOTE_ADDR"),
                "method": environ.get("REQUEST_METHOD"),
                "path": redact_path(environ.get("PATH_INFO")),
                "status": resp.status_code,
                "response_bytes": getattr(resp, "sent", None),
                "duration_ms": round(request_time.total_seconds() * 1000, 2),
                "user_agent": environ.get("HTTP_USER_AGENT"),
            },
        )

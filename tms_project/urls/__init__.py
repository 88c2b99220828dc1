"""One URLconf per role; settings.ROOT_URLCONF picks ``tms_project.urls.<TMS_SERVICE>``.

A role serves only its own routes, so the other role's paths answer 404.
/healthz, /readyz and /metrics are answered by ProbeMiddleware in every role.
"""

"""TMS_SERVICE=all (local development): every route on one port."""

from tms_project.urls import auth, tasks
from tms_project.urls.common import urlpatterns as common_urlpatterns

urlpatterns = [*auth.role_urlpatterns, *tasks.role_urlpatterns, *common_urlpatterns]

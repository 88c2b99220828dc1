from django.contrib.admin.apps import AdminConfig


class TmsAdminConfig(AdminConfig):
    """The Django admin, with its login rate limited like the API's."""

    default_site = "tms_project.admin_site.TmsAdminSite"

from django.contrib.admin import apps as admin_apps


class TmsAdminConfig(admin_apps.AdminConfig):
    """The Django admin, with its login rate limited like the API's."""

    default = False  # named in INSTALLED_APPS; "tms_project" itself is a plain app
    default_site = "tms_project.admin_site.TmsAdminSite"

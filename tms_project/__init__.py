"""TMS, one Django project for the auth and the task service."""

# The release: the API schema reads it; pyproject.toml, the web app's package.json and the
# Kubernetes overlays (image tags, version label) cannot, and a test holds them to it.
__version__ = "1.0.0"

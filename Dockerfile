# syntax=docker/dockerfile:1
# The TMS backend: one image for the auth and the task service (TMS_SERVICE=auth|tasks).
# Python minor version matches CI (3.11). Runs as UID/GID 1000 with a read-only root
# filesystem; only /tmp (an emptyDir in Kubernetes) is written to.

# The base is a build argument: the official image by tag and digest (the multi-architecture
# index), or, where no registry serves it, a Debian base that `make images` builds (docs/deploy.md).
# checkov:skip=CKV_DOCKER_7: the base is a build argument whose default is pinned by tag and digest (tests/test_dockerfile.py)
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

# --- build: wheels compiled against the MariaDB client headers -----------------
FROM ${PYTHON_IMAGE} AS build
# Python's headers come with the official image; a Debian base gets them from python3-dev.
RUN headers="$(python -c 'import sysconfig; print(sysconfig.get_path("include"))')" \
    && apt-get update \
    && apt-get install -y --no-install-recommends build-essential libmariadb-dev pkg-config \
       $(test -f "$headers/Python.h" || echo python3-dev) \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY requirements.txt .
# `wheel` builds the one dependency published only as a source archive without a pyproject.toml
# (http-ece, for Web Push); it stays in this stage.
RUN python -m venv /opt/tms \
    && /opt/tms/bin/pip install --no-cache-dir wheel==0.48.0 \
    && /opt/tms/bin/pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# --- runtime: only the client library, the wheels and the code ------------------
FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
    && apt-get install -y --no-install-recommends libmariadb3 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 1000 tms \
    && useradd --uid 1000 --gid 1000 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin tms
# The dependencies live in their own virtualenv: the same layout on either base, and apart
# from the operating system's Python packages.
COPY --from=build /wheels /wheels
RUN python -m venv /opt/tms \
    && /opt/tms/bin/pip install --no-cache-dir --no-index --find-links /wheels /wheels/*.whl \
    && /opt/tms/bin/pip uninstall --quiet --yes pip setuptools \
    && rm -rf /wheels

ENV PATH=/opt/tms/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TMS_ENV=production \
    TMS_STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/metrics \
    GUNICORN_WORKER_TMP_DIR=/tmp \
    GUNICORN_BIND=0.0.0.0:8000

WORKDIR /app
COPY manage.py ./
COPY tms_project ./tms_project
COPY accounts ./accounts
COPY tasks ./tasks
# Static files are collected at build time (the root filesystem is read-only at run time).
# The values below exist only so settings load for collectstatic (a throwaway key, in
# this RUN's environment only); none of them is kept in the image.
RUN TMS_SECRET_KEY=collectstatic-only TMS_ALLOWED_HOSTS=localhost REDIS_URL=redis://localhost:6379/0 \
    TMS_ALLOW_CONSOLE_EMAIL=true \
    TMS_JWT_PRIVATE_KEY="$(python -c 'from tms_project.jwt_keys import generate_private_key_pem as g; print(g())')" \
    python manage.py collectstatic --noinput \
    && python -m compileall -q /app

USER 1000:1000
EXPOSE 8000
# Kubernetes probes /healthz and /readyz; this serves plain `docker run`.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
ENTRYPOINT ["gunicorn", "--config", "tms_project/gunicorn_conf.py", "tms_project.wsgi"]

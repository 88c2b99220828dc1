"""Local base images made from Debian packages, for machines no container registry serves.

The Dockerfiles take their base images as build arguments whose defaults are the official images,
pinned by tag and digest. Where those cannot be pulled, `make images` builds these instead with
mmdebstrap and passes them as the build arguments. Each is named for what it is (Debian's own
packages), never re-tagged as an official image, and labelled with how it was made.
"""

from dataclasses import dataclass, field

DEBIAN = "http://deb.debian.org/debian"
SECURITY = "http://deb.debian.org/debian-security"

# Keep man pages, translations and docs out, but every package's copyright file in.
SLIM = [
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
]
# apt's package lists are fetched again by any RUN that installs something.
DROP_APT_LISTS = (
    'rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin '
    '"$1"/var/cache/apt/archives/*.deb "$1"/var/log/*.log'
)
# What Debian's own container images configure: apt keeps no downloaded packages or caches, so a
# RUN that installs something leaves only what it installed in its layer.
ARCHIVES = "/var/cache/apt/archives"
CLEAN = f"rm -f {ARCHIVES}/*.deb {ARCHIVES}/partial/*.deb /var/cache/apt/*.bin || true"
APT_CLEAN = f"""\
set -e
cat > "$1/etc/apt/apt.conf.d/docker-clean" <<'CONF'
DPkg::Post-Invoke {{ "{CLEAN}"; }};
APT::Update::Post-Invoke {{ "{CLEAN}"; }};
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
CONF
echo 'Acquire::Languages "none";' > "$1/etc/apt/apt.conf.d/docker-no-languages"
"""
# Debian bookworm's /usr is merged by this hook, so apt need not pull in usrmerge (and all of Perl).
MERGED_USR = "/usr/share/mmdebstrap/hooks/merged-usr"

# What the nginx-unprivileged image sets up: no `user`, pid and temp files in /tmp, logs to the
# container's output, every server in conf.d. The root filesystem may then be read-only.
UNPRIVILEGED_NGINX_CONF = """\
worker_processes auto;
error_log /dev/stderr notice;
pid /tmp/nginx.pid;
events { worker_connections 1024; }
http {
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp_path;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format main '$remote_addr - $remote_user [$time_local] "$request" '
                    '$status $body_bytes_sent "$http_referer" "$http_user_agent"';
    access_log /dev/stdout main;
    sendfile on;
    keepalive_timeout 65;
    include /etc/nginx/conf.d/*.conf;
}
"""

NGINX_SETUP = f"""\
set -e
root="$1"
mkdir -p "$root/tmp" "$root/var/log/nginx" "$root/etc/nginx/conf.d" "$root/usr/share/nginx/html"
chmod 1777 "$root/tmp"
printf 'root:x:0:0:root:/root:/bin/sh\\nnginx:x:101:101:nginx:/nonexistent:/bin/false\\n' > "$root/etc/passwd"
printf 'root:x:0:\\nnginx:x:101:\\n' > "$root/etc/group"
ln -sf /dev/stdout "$root/var/log/nginx/access.log"
ln -sf /dev/stderr "$root/var/log/nginx/error.log"
rm -rf "$root/etc/nginx/sites-enabled" "$root/etc/nginx/sites-available" "$root/var/www"
cat > "$root/etc/nginx/nginx.conf" <<'CONF'
{UNPRIVILEGED_NGINX_CONF}CONF
ln -sf /bin/busybox "$root/bin/sh"
ln -sf /bin/busybox "$root/usr/bin/wget"
{DROP_APT_LISTS}
"""


@dataclass(frozen=True)
class Base:
    """One local base: a Debian suite, its packages, and the image configuration it gets."""

    name: str
    replaces: str  # the build argument it stands in for
    suite: str
    packages: list[str]
    description: str
    variant: str = "minbase"
    hooks: list[str] = field(default_factory=lambda: [APT_CLEAN, DROP_APT_LISTS])
    hook_dirs: list[str] = field(default_factory=list)
    config: dict[str, str] = field(default_factory=dict)  # buildah config options

    def mirrors(self) -> list[str]:
        return [
            f"deb {DEBIAN} {self.suite} main",
            f"deb {DEBIAN} {self.suite}-updates main",
            f"deb {SECURITY} {self.suite}-security main",
        ]


BASES = {
    "PYTHON_IMAGE": Base(
        name="localhost/tms-base:bookworm-python3.11",
        replaces="PYTHON_IMAGE",
        suite="bookworm",
        packages=["python3", "python3-venv", "python-is-python3", "ca-certificates"],
        hook_dirs=[MERGED_USR],
        description=(
            "Debian bookworm with Debian's Python 3.11 "
            "(made by TMS with mmdebstrap; not the official python image)"
        ),
        config={"--env": "LANG=C.UTF-8", "--cmd": "python3"},
    ),
    "NODE_IMAGE": Base(
        name="localhost/tms-base:trixie-node20",
        replaces="NODE_IMAGE",
        suite="trixie",
        packages=["nodejs", "npm", "ca-certificates"],
        description=(
            "Debian trixie with Debian's Node.js 20 and npm "
            "(made by TMS with mmdebstrap; not the official node image)"
        ),
        config={"--env": "LANG=C.UTF-8", "--cmd": "node"},
    ),
    "NGINX_IMAGE": Base(
        name="localhost/tms-base:bookworm-nginx-unprivileged",
        replaces="NGINX_IMAGE",
        suite="bookworm",
        # Extracted, not installed: no maintainer scripts, no shell beyond busybox, no package manager.
        variant="extract",
        packages=["nginx", "busybox"],
        hooks=[NGINX_SETUP],
        description=(
            "Debian bookworm's nginx set up like nginx-unprivileged: port 8080, no root needed "
            "(made by TMS with mmdebstrap; not the official nginx image)"
        ),
        config={
            "--env": "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "--cmd": '["nginx", "-g", "daemon off;"]',
            "--stop-signal": "SIGQUIT",
            "--user": "101:101",
        },
    ),
}

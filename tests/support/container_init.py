"""Enter a built image's root filesystem the way its pod runs it, then become its command.

    unshare --mount --propagation private python container_init.py ROOT WORKDIR UID:GID \
        [--bind HOST:PATH]... -- COMMAND...

Run as root inside a new mount namespace (so every mount vanishes with the process): the image's
root becomes read-only, /tmp a fresh tmpfs (the pod's emptyDir), /dev and /proc the machine's,
each --bind a read-only file or folder (a mounted Secret); then chroot, drop to UID:GID with no
supplementary groups, change to the image's working directory and exec COMMAND with the
environment this process was given. The network is the machine's, so 127.0.0.1 reaches its
MariaDB and Redis.
"""

import os
import subprocess
import sys


def mount(*arguments: str) -> None:
    subprocess.run(["mount", *arguments], check=True)


def main(argv: list[str]) -> None:
    split = argv.index("--")
    root, workdir, user, *options = argv[:split]
    command = argv[split + 1 :]
    binds = [options[i + 1] for i, option in enumerate(options) if option == "--bind"]
    # Mount points the image may lack are made in the throwaway container's own layer, not the image.
    for path in ("/tmp", "/dev", "/proc", *(bind.split(":", 1)[1] for bind in binds)):
        os.makedirs(f"{root}{path}", exist_ok=True)
    mount("--bind", root, root)  # a mount point of its own, so it can be made read-only
    mount("-t", "tmpfs", "-o", "size=64m,mode=1777,nosuid,nodev", "tmpfs", f"{root}/tmp")
    mount("--rbind", "/dev", f"{root}/dev")
    mount("-t", "proc", "proc", f"{root}/proc")
    for bind in binds:
        source, target = bind.split(":", 1)
        mount("--bind", source, f"{root}{target}")
        mount("-o", "remount,bind,ro", f"{root}{target}")
    mount("-o", "remount,bind,ro", root)
    uid, gid = (int(part) for part in user.split(":"))
    # The container's output is its own, as a runtime makes it: /dev/stdout stays writable after
    # the drop to UID:GID (nginx reopens it for its logs).
    for descriptor in (1, 2):
        os.fchown(descriptor, uid, gid)
    os.chroot(root)
    os.chdir(workdir or "/")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    os.execvp(command[0], command)  # noqa: S606 - the image's own command, as its runtime would


if __name__ == "__main__":
    main(sys.argv[1:])

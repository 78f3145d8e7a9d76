#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A cached Debian rootfs tarball (debootstrap), and containers' rootfs unpacked from it with
ownership shifted into an unprivileged id range."""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: warren_rootfs
short_description: Build a cached debootstrap tarball, or unpack it id-shifted for an unprivileged container.
description:
  - Without I(dest), makes sure I(tarball) exists, building it with debootstrap when missing.
  - With I(dest), unpacks I(tarball) into I(dest) inside a user namespace (lxc-usernsexec), so
    that uid/gid N on the tarball becomes I(id_base)+N on disk, keeping modes and setuid bits.
    A marker file next to I(dest) records the tarball's name (which carries the hash of the
    package list). When it names another tarball, the rootfs is unpacked again and replaces the
    old one, which is deleted, so stop the container first. A rootfs without a marker is never
    overwritten.
options:
  tarball: {description: Cache file (uncompressed tar)., type: path, required: true}
  suite: {description: Debian suite., type: str, default: bookworm}
  mirror: {description: Debian mirror URL., type: str, default: "http://deb.debian.org/debian"}
  packages: {description: Extra packages to include., type: list, elements: str, default: []}
  dest: {description: Rootfs directory to create., type: path}
  id_base: {description: First host id of the container's map., type: int, default: 100000}
  id_range: {description: Number of mapped ids., type: int, default: 65536}
author: warren
"""

EXAMPLES = r"""
- name: Unpack the rootfs.
  warren_rootfs:
    tarball: /var/cache/warren/debian-bookworm.tar
    dest: /var/lib/lxc/90/rootfs
"""

RETURN = r"""
built: {description: Whether the tarball was (or would be) built., type: bool, returned: always}
replaced: {description: Whether a rootfs from another tarball was (or would be) replaced., type: bool, returned: always}
"""


def rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def build(module, p):
    tmp = p["tarball"] + ".d"
    rmtree(tmp)
    cmd = ["debootstrap", "--variant=minbase", "--merged-usr"]
    if p["packages"]:
        cmd.append("--include=" + ",".join(p["packages"]))
    module.run_command(cmd + [p["suite"], tmp, p["mirror"]], check_rc=True)
    module.run_command(["tar", "--numeric-owner", "--xattrs", "--xattrs-include=*", "-C", tmp,
                        "-cf", p["tarball"] + ".tmp", "."], check_rc=True)
    os.chmod(p["tarball"] + ".tmp", 0o644)
    os.rename(p["tarball"] + ".tmp", p["tarball"])
    rmtree(tmp)


def unpack(module, p):
    dest, base = p["dest"].rstrip("/"), p["id_base"]
    tmp = dest + ".tmp"
    rmtree(tmp)
    os.mkdir(tmp, 0o755)
    os.chown(tmp, base, base)
    idmap = "b:0:%d:%d" % (base, p["id_range"])
    module.run_command(["lxc-usernsexec", "-m", idmap, "--", "tar", "--numeric-owner", "-xpf",
                        p["tarball"], "-C", tmp, "--exclude=./dev/*", "--xattrs",
                        "--xattrs-include=*"], check_rc=True)
    old = dest + ".old"
    rmtree(old)
    if os.path.lexists(dest):
        os.rename(dest, old)
    os.rename(tmp, dest)
    with open(dest + ".warren.tmp", "w", encoding="utf-8") as f:
        f.write(os.path.basename(p["tarball"]) + "\n")
    os.rename(dest + ".warren.tmp", dest + ".warren")
    rmtree(old)


def marker(dest):
    """The tarball name recorded next to @dest, or None without a marker."""
    try:
        with open(dest + ".warren", encoding="utf-8") as f:
            return f.read().strip()
    except FileNotFoundError:
        return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            tarball=dict(type="path", required=True),
            suite=dict(type="str", default="bookworm"),
            mirror=dict(type="str", default="http://deb.debian.org/debian"),
            packages=dict(type="list", elements="str", default=[]),
            dest=dict(type="path"),
            id_base=dict(type="int", default=100000),
            id_range=dict(type="int", default=65536),
        ),
        supports_check_mode=True,
    )
    p = module.params
    built = not os.path.exists(p["tarball"])
    dest = p["dest"].rstrip("/") if p["dest"] else None
    have = marker(dest) if dest else None
    need_unpack = bool(dest) and have != os.path.basename(p["tarball"])
    if need_unpack and have is None and os.path.isdir(dest) and os.listdir(dest):
        module.fail_json(msg="%s exists without a warren marker: not overwriting" % dest)
    changed = built or need_unpack
    if changed and not module.check_mode:
        if built:
            build(module, p)
        if need_unpack:
            unpack(module, p)
    module.exit_json(changed=changed, built=built, replaced=need_unpack and have is not None,
                     diff=dict(before="%s\n" % have if have else "", after="%s\n" % os.path.basename(p["tarball"]))
                     if need_unpack else {})


if __name__ == "__main__":
    main()

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""A character device node with a given owner and mode: the container's own /dev/net/tun."""

import os
import stat

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: warren_devnode
short_description: Ensure a character device node exists with this number, owner and mode.
description:
  - Makes the device node that an unprivileged container bind-mounts, owned by the host ids
    its root maps to, the way Proxmox's device passthrough does (/var/lib/lxc/ID/passthrough).
    The host's own /dev node and its mode are never touched.
  - A node of the wrong type or number is replaced; a directory at the path is an error.
options:
  path: {description: Where the node goes; missing parent directories are made with mode 0755., type: path, required: true}
  major: {description: Device major number., type: int, required: true}
  minor: {description: Device minor number., type: int, required: true}
  owner: {description: Numeric host uid of the node., type: int, required: true}
  group: {description: Numeric host gid of the node., type: int, required: true}
  mode: {description: Permissions as an octal string such as "0660"., type: str, default: "0660"}
  root:
    description:
      - An existing directory above O(path). Every directory between it and the node is made
        (when missing) or set to mode 0755, root-owned, whatever the umask, because LXC mounts the node
        from inside the container's user namespace, which must be able to reach it.
      - Empty leaves the parent directories alone (they must exist).
    type: path
    default: ""
supports_check_mode: true
author: warren
"""

EXAMPLES = r"""
- name: Make CT 90's own tun device, owned by its root (host uid 100000).
  warren_devnode:
    path: /var/lib/lxc/90/passthrough/dev/net/tun
    major: 10
    minor: 200
    owner: 100000
    group: 100000
"""

RETURN = r"""
diff: {description: The node before and after (type, number, owner, group, mode)., type: dict, returned: always}
"""


def describe(path):
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    kind = "char" if stat.S_ISCHR(st.st_mode) else "dir" if stat.S_ISDIR(st.st_mode) else "other"
    return {
        "type": kind,
        "device": "%d:%d" % (os.major(st.st_rdev), os.minor(st.st_rdev)) if kind == "char" else "",
        "owner": st.st_uid,
        "group": st.st_gid,
        "mode": "%04o" % stat.S_IMODE(st.st_mode),
    }


def dir_state(d):
    try:
        st = os.lstat(d)
    except FileNotFoundError:
        return None
    return (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) if stat.S_ISDIR(st.st_mode) else "other"


def between(module, root, path):
    """The directories strictly between root and path's node, top down."""
    if not root:
        return []
    root, parent = os.path.normpath(root), os.path.dirname(os.path.normpath(path))
    if not os.path.isdir(root):
        module.fail_json(msg="root: %s is not an existing directory" % root)
    rel = os.path.relpath(parent, root)
    if rel == "." or rel.startswith(".."):
        if rel == ".":
            return []
        module.fail_json(msg="root: %s is not above path %s" % (root, path))
    out, cur = [], root
    for part in rel.split(os.sep):
        cur = os.path.join(cur, part)
        if dir_state(cur) == "other":
            module.fail_json(msg="path: %s is in the way and not a directory" % cur)
        out.append(cur)
    return out


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            major=dict(type="int", required=True),
            minor=dict(type="int", required=True),
            owner=dict(type="int", required=True),
            group=dict(type="int", required=True),
            mode=dict(type="str", default="0660"),
            root=dict(type="path", default=""),
        ),
        supports_check_mode=True,
    )
    p = module.params
    try:
        mode = int(p["mode"], 8)
    except ValueError:
        module.fail_json(msg="mode: not an octal number: %r" % p["mode"])
    if not 0 <= mode <= 0o777:
        module.fail_json(msg="mode: %r is not a permission mode" % p["mode"])
    for field in ("major", "minor", "owner", "group"):
        if p[field] < 0:
            module.fail_json(msg="%s: must not be negative, got %d" % (field, p[field]))
    path = p["path"]
    want = {"type": "char", "device": "%d:%d" % (p["major"], p["minor"]),
            "owner": p["owner"], "group": p["group"], "mode": "%04o" % mode}
    have = describe(path)
    if have and have["type"] == "dir":
        module.fail_json(msg="path: %s is a directory" % path)
    parents = between(module, p["root"], path)
    fix = [d for d in parents if dir_state(d) != (0, 0, 0o755)]
    changed = have != want or bool(fix)
    if changed and not module.check_mode:
        for d in fix:  # top down: each is made, then given its owner and mode
            if not os.path.isdir(d):
                os.mkdir(d, 0o700)
            os.chown(d, 0, 0)
            os.chmod(d, 0o755)
        if have and (have["type"] != "char" or have["device"] != want["device"]):
            os.unlink(path)
            have = None
        if have is None:
            # Made with no permissions, then given its owner, then its mode: never briefly open.
            os.mknod(path, stat.S_IFCHR, os.makedev(p["major"], p["minor"]))
        os.chown(path, p["owner"], p["group"])
        os.chmod(path, mode)
    module.exit_json(changed=changed, path=path, directories=fix,
                     diff={"before": have or {}, "after": want})


if __name__ == "__main__":
    main()

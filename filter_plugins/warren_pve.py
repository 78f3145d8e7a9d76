# SPDX-License-Identifier: GPL-2.0-only
# Reading a Proxmox container config (/etc/pve/nodes/NODE/lxc/ID.conf) the way pve-container
# writes it, for the drift check of roles/wireguard_ct (proxmox backend):
#   warren_pve_conf: the text -> the current settings (the part before the first "[section]":
#                    pending changes and snapshots are not the running config), with property
#                    strings (net0, rootfs, devN, features, startup) split into dicts
#   warren_pve_size: "8G", "8.5G", "8GiB", "512M", "1073741824" (bytes) -> bytes, as pve-common's
#                    parse_size reads them
#   warren_pve_tun_dev: the devN key that passes /dev/net/tun, or "" (either syntax)
#   warren_pve_free_dev: the first devN key not in use
import re

from ansible.errors import AnsibleFilterError

PROPERTY_KEYS = re.compile(r"^(net\d+|rootfs|mp\d+|dev\d+|features|startup)$")
# The default key of each property string: the value given without "key=".
DEFAULT_KEY = {"rootfs": "volume", "dev": "path", "mp": "volume", "startup": "order"}
UNITS = {"": 1, "K": 1024, "M": 1024 ** 2, "G": 1024 ** 3, "T": 1024 ** 4}


def _default_key(key):
    return DEFAULT_KEY.get(re.sub(r"\d+$", "", key))


def split_property(key, value):
    out = {}
    for part in value.split(","):
        if not part:
            continue
        if "=" in part:
            k, v = part.split("=", 1)
            out[k.strip()] = v.strip()
        elif _default_key(key):
            out[_default_key(key)] = part.strip()
        else:
            out[part.strip()] = "1"
    return out


def warren_pve_conf(text):
    conf = {}
    for line in str(text).splitlines():
        line = line.strip()
        if line.startswith("["):
            break
        if not line or line.startswith("#"):
            continue
        m = re.match(r"^(lxc\.[A-Za-z0-9_.]+)\s*[:=]\s*(.*)$", line) or \
            re.match(r"^([A-Za-z0-9_-]+)\s*:\s*(.*)$", line)
        if not m:
            raise AnsibleFilterError("warren_pve_conf: cannot read line %r" % line[:80])
        key, value = m.group(1), m.group(2)
        if key.startswith("lxc."):
            conf.setdefault("lxc", []).append([key, value])
        elif PROPERTY_KEYS.match(key):
            conf[key] = split_property(key, value)
        else:
            conf[key] = value
    return conf


def warren_pve_size(value):
    m = re.match(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:i?B)?\s*$", str(value))
    if not m:
        raise AnsibleFilterError("warren_pve_size: not a size: %r" % value)
    return int(float(m.group(1)) * UNITS[m.group(2)])


def warren_pve_tun_dev(conf):
    for key in sorted(conf or {}):
        if re.match(r"^dev\d+$", key) and conf[key].get("path") == "/dev/net/tun":
            return key
    return ""


def warren_pve_free_dev(conf):
    used = {k for k in (conf or {}) if re.match(r"^dev\d+$", k)}
    for n in range(256):
        if "dev%d" % n not in used:
            return "dev%d" % n
    raise AnsibleFilterError("warren_pve_free_dev: all of dev0..dev255 are in use")


class FilterModule(object):
    def filters(self):
        return {
            "warren_pve_conf": warren_pve_conf,
            "warren_pve_size": warren_pve_size,
            "warren_pve_tun_dev": warren_pve_tun_dev,
            "warren_pve_free_dev": warren_pve_free_dev,
        }

# SPDX-License-Identifier: GPL-2.0-only
# Code every warren module shares: finding and running a helper, reading its one JSON object and
# failing with its message (the helpers' contract, README.md), private files, and the peer-name
# rule. Modules import it as ansible.module_utils.warren (ansible.cfg module_utils) or, in the
# warren.wireguard collection, as ansible_collections.warren.wireguard.plugins.module_utils.warren.
import json
import os
import re
import tempfile

# Peer names: safe as file names (NAME.conf, NAME.psk); the same rule as wg-peer-sync's
# (helpers/lib/wgstate.h) and wg-client-config's.
PEER_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,62}$")


def peer_name_problem(peers):
    """The message for the first invalid or repeated name in @peers (dicts with "name"), or None."""
    names = [q["name"] for q in peers]
    for name in names:
        if not PEER_NAME.match(name) or names.count(name) > 1:
            return "peer name %r is invalid or listed twice" % name
    return None


def helper_path(module, name):
    """@name as given when it is a path, else the program found in PATH (the module fails if not)."""
    return name if "/" in name else module.get_bin_path(name, True)


def run(module, cmd, data=None):
    """The standard output of @cmd (fed @data on stdin); on a non-zero exit the module fails with
    the end of the program's standard error, never its input (which may be a key)."""
    rc, out, err = module.run_command(cmd, data=data, binary_data=True)
    if rc != 0:
        module.fail_json(msg="%s failed: %s" % (os.path.basename(cmd[0]), err.strip()[-300:]))
    return out


def run_json(module, cmd, data=None):
    """Runs a warren helper and returns its one JSON object. A failure object, a non-zero exit or
    output that is not a JSON object fails the module with the helper's own message."""
    rc, out, err = module.run_command(cmd, data=data)
    name = os.path.basename(cmd[0])
    try:
        result = json.loads(out)
    except ValueError:
        result = None
    if not isinstance(result, dict):
        module.fail_json(msg="%s printed no JSON: %s" % (name, (err or out).strip()[-300:]), rc=rc)
    if rc != 0 or result.get("failed"):
        module.fail_json(msg=result.get("msg", "%s failed" % name), rc=rc)
    return result


def temp_json(data, prefix):
    """Writes @data to a new private (0600) temporary file and returns its path; the caller
    removes it."""
    fd, path = tempfile.mkstemp(prefix=prefix, suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f)
    return path


def write_atomic(path, text, mode=0o666):
    """Replaces @path with @text: a new file (@mode, less the umask) next to it, synced, then
    renamed over it, so a reader sees the old content or the new one, never a part."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)

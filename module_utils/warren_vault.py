# SPDX-License-Identifier: GPL-2.0-only
# The key vault file of wg_keys, decrypted and encrypted by the ansible-vault program with only
# the password file (or client script) given, never the environment's vault ids, so encryption is
# never ambiguous. The plaintext goes through pipes, never a file.
import copy
import os

import yaml

try:
    from ansible.module_utils.warren import run
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren import run


def _cmd(module, password_file, vault_id):
    for var in ("ANSIBLE_VAULT_PASSWORD_FILE", "ANSIBLE_VAULT_IDENTITY_LIST"):
        os.environ.pop(var, None)
    label = vault_id or "default"
    return [module.get_bin_path("ansible-vault", True), "--vault-id",
            "%s@%s" % (label, password_file)], label


def read(module, path, password_file, vault_id=None, loaded=None):
    """(data, mode_ok): the decrypted YAML of @path ({} when it does not exist) and whether the
    file's mode is 0600. A file that is not vault-encrypted fails the module. @loaded is the
    content Ansible already decrypted (include_vars): then the file is checked, not decrypted."""
    if not os.path.exists(path):
        return {}, True
    with open(path, "rb") as f:
        if not f.read(14) == b"$ANSIBLE_VAULT":
            module.fail_json(msg="%s is not vault-encrypted; refusing to use it" % path)
    mode_ok = os.stat(path).st_mode & 0o7777 == 0o600
    if loaded is not None:
        return copy.deepcopy(loaded), mode_ok
    cmd, _ = _cmd(module, password_file, vault_id)
    data = yaml.safe_load(run(module, cmd[:1] + ["decrypt"] + cmd[1:] + ["--output", "-", path]))
    return data or {}, mode_ok


def encrypt(module, data, password_file, vault_id=None):
    """The vault text of @data (YAML, keys sorted)."""
    cmd, label = _cmd(module, password_file, vault_id)
    text = yaml.safe_dump(data, default_flow_style=False, sort_keys=True)
    return run(module, cmd[:1] + ["encrypt"] + cmd[1:] + ["--encrypt-vault-id", label,
                                                         "--output", "-", "-"], text)

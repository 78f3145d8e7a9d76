# SPDX-License-Identifier: GPL-2.0-only
# warren_enroll_hash: a token secret (64 hex digits, from Vault) -> the keyed hash warren-enrolld
# stores: BLAKE2b-256 keyed with the server secret (base64 of 32 bytes), as crypto_generichash.
#   "{{ token.secret | warren_enroll_hash(warren_enroll_secret) }}"
import base64
import binascii
import hashlib

from ansible.errors import AnsibleFilterError


def warren_enroll_hash(secret, server_secret):
    try:
        raw = bytes.fromhex(str(secret))
        key = base64.b64decode(str(server_secret), validate=True)
    except (ValueError, binascii.Error):
        raise AnsibleFilterError("warren_enroll_hash: the secret must be 64 hex digits and the "
                                 "server secret base64 of 32 bytes")
    if len(raw) != 32 or len(key) != 32:
        raise AnsibleFilterError("warren_enroll_hash: the secret must be 64 hex digits and the "
                                 "server secret base64 of 32 bytes")
    return hashlib.blake2b(raw, key=key, digest_size=32).hexdigest()


class FilterModule(object):
    def filters(self):
        return {"warren_enroll_hash": warren_enroll_hash}

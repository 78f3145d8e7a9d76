#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Imports a Zabbix template export only when configuration.importcompare finds a difference, and
# makes sure host groups exist, in one API session. Written because Debian's community.zabbix
# 1.9.3 zabbix_template fails every re-import (docs/zabbix.md).
import json

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

DOCUMENTATION = r"""
module: warren_zabbix_template
short_description: Import a Zabbix 6.0 template only when it differs, and create missing host groups
description:
  - Logs in to the Zabbix JSON-RPC API, runs C(configuration.importcompare) on O(source) and
    runs C(configuration.import) only when the comparison reports a difference, so that the task
    says changed exactly when Zabbix changed. The file must be in the form Zabbix exports, or
    every comparison differs.
  - Then creates each of O(host_groups) that does not exist (C(hostgroup.get), C(hostgroup.create)).
  - Check mode compares and looks up, and changes nothing.
  - Debian's community.zabbix 1.9.3 zabbix_template imports a template once and then fails on
    every re-import, because its httpapi plugin takes any export containing the word error for an
    API error (community.zabbix issues 888, 1113, 1141, 1305).
options:
  url:
    description: The API, such as http://zabbix.example/api_jsonrpc.php.
    type: str
    required: true
  user:
    description: API user.
    type: str
    required: true
  password:
    description: API password (keep it in Ansible Vault).
    type: str
    required: true
  source:
    description: The YAML export, as a string; empty compares and imports nothing.
    type: str
    default: ""
  rules:
    description: The import rules of configuration.import and importcompare.
    type: dict
    required: true
  host_groups:
    description: Host groups to create when missing.
    type: list
    elements: str
    default: []
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each API call.
    type: int
    default: 60
supports_check_mode: true
author: warren
"""

EXAMPLES = r"""
- name: Import the template when it differs.
  warren_zabbix_template:
    url: http://127.0.0.1:18080/api_jsonrpc.php
    user: Admin
    password: "{{ vault_zabbix_password }}"
    source: "{{ lookup('file', 'template_warren_wireguard.yaml') }}"
    rules: {templates: {createMissing: true, updateExisting: true}}
    host_groups: [warren VPN servers]
  delegate_to: localhost
  no_log: true
"""

RETURN = r"""
imported: {description: Whether the template was (or, in check mode, would be) imported., type: bool, returned: always}
created_groups: {description: The host groups created (or that would be)., type: list, returned: always}
"""


class ApiError(Exception):
    pass


def main():
    module = AnsibleModule(argument_spec=dict(
        url=dict(type="str", required=True), user=dict(type="str", required=True),
        password=dict(type="str", required=True, no_log=True),
        source=dict(type="str", default=""), rules=dict(type="dict", required=True),
        host_groups=dict(type="list", elements="str", default=[]),
        validate_certs=dict(type="bool", default=True), timeout=dict(type="int", default=60)),
        supports_check_mode=True)
    p = module.params
    auth = [None]

    def call(method, params):
        body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
        if auth[0]:
            body["auth"] = auth[0]
        r = open_url(p["url"], data=json.dumps(body), method="POST",
                     headers={"Content-Type": "application/json-rpc"},
                     validate_certs=p["validate_certs"], timeout=p["timeout"])
        ans = json.loads(r.read())
        if "error" in ans:
            raise ApiError("%s: %s %s" % (method, ans["error"].get("message", ""),
                                          ans["error"].get("data", "")))
        return ans["result"]

    try:
        auth[0] = call("user.login", {"username": p["user"], "password": p["password"]})
        tpl = {"format": "yaml", "rules": p["rules"], "source": p["source"]}
        imported = bool(p["source"]) and bool(call("configuration.importcompare", tpl))
        if imported and not module.check_mode:
            call("configuration.import", tpl)
        have = {g["name"] for g in call("hostgroup.get", {
            "output": ["name"], "filter": {"name": p["host_groups"]}})} if p["host_groups"] else set()
        created = [g for g in p["host_groups"] if g not in have]
        for g in created if not module.check_mode else []:
            call("hostgroup.create", {"name": g})
        call("user.logout", [])
    except ApiError as e:
        module.fail_json(msg="Zabbix API at %s: %s" % (p["url"], e))
    except Exception as e:  # urllib, socket, JSON: one clear line
        module.fail_json(msg="Zabbix API at %s: %s" % (p["url"], e))
    module.exit_json(changed=imported or bool(created), imported=imported, created_groups=created)


if __name__ == "__main__":
    main()

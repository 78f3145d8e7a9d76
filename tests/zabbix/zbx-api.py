#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""zbx-api.py METHOD [PARAMS-JSON | @FILE]: one Zabbix JSON-RPC call, the result printed as JSON.

Reads ZABBIX_API, ZABBIX_USER and ZABBIX_PASSWORD from the environment (as
`tests/zabbix/zabbix-server.sh env NAME` prints them). An API error is printed on stderr, exit 1.
`zbx-api.py import FILE` is configuration.import of a YAML export with the rules warren uses
(importcompare FILE: the comparison); `zbx-api.py export` prints the YAML export of the
templates named "warren WireGuard*", the form to commit (docs/zabbix.md).
"""
import json
import os
import sys
import urllib.request

RULES_TRUE = {"createMissing": True, "updateExisting": True}
IMPORT_RULES = {
    "template_groups": RULES_TRUE,  # 6.2+, ignored below
    "groups": {"createMissing": True, "updateExisting": False},
    "templates": RULES_TRUE,
    "items": {**RULES_TRUE, "deleteMissing": True},
    "triggers": {**RULES_TRUE, "deleteMissing": True},
    "graphs": {**RULES_TRUE, "deleteMissing": True},
    "discoveryRules": {**RULES_TRUE, "deleteMissing": True},
    "templateLinkage": {"createMissing": True, "deleteMissing": True},
    "templateDashboards": {**RULES_TRUE, "deleteMissing": True},
    "valueMaps": {**RULES_TRUE, "deleteMissing": True},
}


def call(method, params, auth=None):
    body = {"jsonrpc": "2.0", "method": method, "params": params, "id": 1}
    if auth:
        body["auth"] = auth
    req = urllib.request.Request(
        os.environ["ZABBIX_API"], json.dumps(body).encode(),
        {"Content-Type": "application/json-rpc"})
    with urllib.request.urlopen(req, timeout=60) as r:
        ans = json.load(r)
    if "error" in ans:
        sys.exit("zbx-api: %s: %s %s" % (method, ans["error"].get("message"),
                                         ans["error"].get("data")))
    return ans["result"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    method, arg = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "{}")
    tok = call("user.login", {"username": os.environ["ZABBIX_USER"],
                              "password": os.environ["ZABBIX_PASSWORD"]})
    if method in ("import", "importcompare"):
        rules = dict(IMPORT_RULES)
        del rules["template_groups"]
        with open(arg) as f:
            params = {"format": "yaml", "rules": rules, "source": f.read()}
        method = "configuration." + method
    elif method == "export":
        ids = [t["templateid"] for t in call("template.get", {
            "output": ["templateid"], "search": {"host": "warren WireGuard"},
            "startSearch": True}, tok)]
        method, params = "configuration.export", {"format": "yaml", "options": {"templates": ids}}
    elif arg.startswith("@"):
        with open(arg[1:]) as f:
            params = json.load(f)
    else:
        params = json.loads(arg)
    res = call(method, params, tok)
    print(res if isinstance(res, str) else json.dumps(res, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()

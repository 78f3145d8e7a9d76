#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# check-template.py TEMPLATE.yaml USERPARAMS.conf GET.json FAIL.json PEERS.json INTERFACES.json
#                   [SITE-GET.json SITE-ROWS.json]
# (without the last two, the far-site rule of the sites template is not checked: said on stdout)
# Structural checks of the Zabbix 6.0 template against what zabbix-wg-stats really prints:
# every dependent item's master exists (same template, or a prototype of the same rule), every
# JSONPath names a field present in a real `get` document (or its failure line), every item a
# trigger or graph names exists, every LLD macro a prototype uses is in the real discovery rows,
# every user macro is defined, agent keys exist in the UserParameter file, UUIDs are unique,
# every host group used (templates, host prototypes' group_links) is listed in
# zabbix_export.groups (the 6.0 importer finds no other), stock groups keep Zabbix's own UUIDs,
# and every LLD override operation matches a prototype.
# Prints one line per finding and exits 1 if there is any.
import json
import re
import sys

import yaml

tpl_path, up_path, get_path, fail_path, peers_path, ifs_path = sys.argv[1:7]
doc = yaml.safe_load(open(tpl_path))["zabbix_export"]
get = json.load(open(get_path))
fail = json.load(open(fail_path))
peer_rows = json.load(open(peers_path))
if_rows = json.load(open(ifs_path))
site_get, site_rows = (json.load(open(p)) for p in sys.argv[7:9]) if len(sys.argv) > 8 else (None, None)
SITE_MASTER, SITE_RULE = "warren.wg.site.get", "warren.wg.site.discovery"
userparams = set()
for line in open(up_path):
    m = re.match(r"UserParameter=([^,\[]+)(\[\*\])?,", line)
    if m:
        userparams.add(m.group(1))

problems = []
checked = {"dependent": 0, "jsonpath": 0, "expr-items": 0, "graph-items": 0, "lld-macros": 0}


def bad(msg):
    problems.append(msg)


def jsonpath(path, data):
    """The subset of JSONPath the template uses: $.a.b and $.a['k'].b."""
    if not path.startswith("$"):
        return False
    for name, quoted in re.findall(r"\.([A-Za-z_][A-Za-z0-9_]*)|\['([^']*)'\]", path[1:]):
        key = name or quoted
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


if doc.get("version") != "6.0":
    bad(f"export version {doc.get('version')!r}, not '6.0'")
uuids = []
template_names = {t["template"] for t in doc["templates"]}
any_peer = peer_rows[0]["{#WG.PEER}"] if peer_rows else None


def lld_sub(s, row):
    for k, v in (row or {}).items():
        s = s.replace(k, v)
    return s


def check_items(tname, items, keys, rule_rows, where):
    for it in items:
        uuids.append(it["uuid"])
        if it.get("type", "ZABBIX_PASSIVE") == "DEPENDENT":
            checked["dependent"] += 1
            mk = it.get("master_item", {}).get("key")
            if mk not in keys:
                bad(f"{where}: {it['key']}: master item {mk!r} does not exist")
        else:
            base = it["key"].split("[")[0]
            if base not in userparams:
                bad(f"{where}: agent item {it['key']} has no UserParameter")
        for step in it.get("preprocessing", []):
            if step["type"] != "JSONPATH":
                continue
            checked["jsonpath"] += 1
            path = lld_sub(step["parameters"][0], rule_rows[0] if rule_rows else None)
            on_fail = step.get("error_handler") in ("CUSTOM_VALUE", "DISCARD_VALUE")
            doc_ = site_get if it.get("master_item", {}).get("key") == SITE_MASTER else get
            if not jsonpath(path, doc_) and not (on_fail and jsonpath(path, fail)):
                bad(f"{where}: {it['key']}: JSONPath {path} finds nothing in `get` output")
        for m in re.findall(r"\{#[A-Z0-9_.]+\}", json.dumps(it)):
            checked["lld-macros"] += 1
            if rule_rows is None or m not in rule_rows[0]:
                bad(f"{where}: {it['key']}: LLD macro {m} is not in the discovery rows")


def check_expr(tname, expr, keys, where):
    for host, key in re.findall(r"/([^/]+)/([^,)]+(?:\[[^\]]*\])?)", expr):
        checked["expr-items"] += 1
        if host != tname or key not in keys:
            bad(f"{where}: expression names {host}/{key}, which does not exist")


for t in doc["templates"]:
    tname = t["template"]
    uuids.append(t["uuid"])
    defined = {m["macro"] for m in t.get("macros", [])}
    # Macros a host prototype sets (for the template it links) are not uses.
    text = json.dumps(t)
    for rule in t.get("discovery_rules", []):
        for hp in rule.get("host_prototypes", []):
            for m in hp.get("macros", []):
                text = text.replace(json.dumps(m["macro"]), '""')
    for m in set(re.findall(r"\{\$[A-Z0-9_.]+\}", text)):
        if m not in defined:
            bad(f"{tname}: user macro {m} is used but not defined")
    keys = {it["key"] for it in t.get("items", [])}
    if site_get is not None or not any(it["key"] == SITE_MASTER for it in t.get("items", [])):
        check_items(tname, t.get("items", []), keys, None, tname)
    for it in t.get("items", []):
        for tr in it.get("triggers", []):
            uuids.append(tr["uuid"])
            check_expr(tname, tr["expression"], keys, f"{tname}: trigger {tr['name']}")
    for rule in t.get("discovery_rules", []):
        uuids.append(rule["uuid"])
        base = rule["key"].split("[")[0]
        if base not in userparams:
            bad(f"{tname}: discovery rule {rule['key']} has no UserParameter")
        rows = if_rows if base == "warren.wg.interfaces" else peer_rows
        if base == SITE_RULE:
            if site_rows is None:
                print(f"template: {rule['key']} not checked (no SITE-GET.json SITE-ROWS.json)")
                continue
            rows = site_rows
        if not rows:
            bad(f"{tname}: no real discovery rows to check {rule['key']} against")
            continue
        pkeys = keys | {it["key"] for it in rule.get("item_prototypes", [])}
        check_items(tname, rule.get("item_prototypes", []), pkeys, rows, f"{tname}: {rule['key']}")
        # An export nests a trigger prototype on one item under that item prototype.
        tprotos = rule.get("trigger_prototypes", []) + [
            tp for ip in rule.get("item_prototypes", []) for tp in ip.get("trigger_prototypes", [])]
        rule["trigger_prototypes"] = tprotos
        for tp in tprotos:
            uuids.append(tp["uuid"])
            check_expr(tname, tp["expression"], pkeys, f"{tname}: trigger prototype {tp['name']}")
            for m in re.findall(r"\{#[A-Z0-9_.]+\}", json.dumps(tp)):
                if m not in rows[0]:
                    bad(f"{tname}: trigger prototype uses {m}, not in the discovery rows")
        for gp in rule.get("graph_prototypes", []):
            uuids.append(gp["uuid"])
            for gi in gp["graph_items"]:
                checked["graph-items"] += 1
                if gi["item"]["host"] != tname or gi["item"]["key"] not in pkeys:
                    bad(f"{tname}: graph prototype {gp['name']}: no item {gi['item']['key']}")
        for hp in rule.get("host_prototypes", []):
            uuids.append(hp["uuid"])
            for link in hp.get("templates", []):
                if link["name"] not in template_names:
                    bad(f"{tname}: host prototype links unknown template {link['name']}")
            for m in re.findall(r"\{#[A-Z0-9_.]+\}", json.dumps(hp)):
                checked["lld-macros"] += 1
                if m not in rows[0]:
                    bad(f"{tname}: host prototype uses {m}, not in the discovery rows")
            for m in hp.get("macros", []):
                linked = [x for x in doc["templates"] if x["template"] in {l["name"] for l in hp["templates"]}]
                if not any(m["macro"] in {y["macro"] for y in x.get("macros", [])} for x in linked):
                    bad(f"{tname}: host prototype sets {m['macro']}, which no linked template uses")

all_keys = {}
for t in doc["templates"]:
    all_keys[t["template"]] = {it["key"] for it in t.get("items", [])}
for tr in doc.get("triggers", []):
    uuids.append(tr["uuid"])
    for host, key in re.findall(r"/([^/]+)/([^,)]+(?:\[[^\]]*\])?)", tr["expression"]):
        checked["expr-items"] += 1
        if key not in all_keys.get(host, set()):
            bad(f"trigger {tr['name']}: no item {host}/{key}")
for g in doc.get("graphs", []):
    uuids.append(g["uuid"])
    for gi in g["graph_items"]:
        checked["graph-items"] += 1
        if gi["item"]["key"] not in all_keys.get(gi["item"]["host"], set()):
            bad(f"graph {g['name']}: no item {gi['item']['key']}")
for u in uuids:
    if not re.fullmatch(r"[0-9a-f]{32}", u):
        bad(f"uuid {u!r} is not 32 hex digits")
if len(uuids) != len(set(uuids)):
    bad("duplicate uuids")

# Zabbix 6.0.14's own UUIDs for its stock groups (data.sql.gz): importing another UUID for the
# same name rewrites the stock group's UUID.
STOCK_GROUPS = {"Templates/Applications": "a571c0d144b14fd4a87a9d9b2aa9fcd6",
                "Discovered hosts": "f2481361f99448eea617b7b1d4765566"}
listed = {g["name"]: g["uuid"] for g in doc.get("groups", [])}
used = set()
for t in doc["templates"]:
    used |= {g["name"] for g in t.get("groups", [])}
    for rule in t.get("discovery_rules", []):
        for hp in rule.get("host_prototypes", []):
            used |= {gl["group"]["name"] for gl in hp.get("group_links", [])}
        names = {p["name"] for kind in ("item_prototypes", "trigger_prototypes", "graph_prototypes")
                 for p in rule.get(kind, [])}
        for ov in rule.get("overrides", []):
            for op in ov.get("operations", []):
                if op.get("operator") == "LIKE" and not any(op["value"] in n for n in names):
                    bad(f"override {ov['name']}: no prototype name contains {op['value']!r}")
for g in sorted(used - set(listed)):
    bad(f"host group {g!r} is used but not in zabbix_export.groups (the import would fail)")
for g, u in listed.items():
    if g in STOCK_GROUPS and u != STOCK_GROUPS[g]:
        bad(f"host group {g!r}: uuid {u}, not Zabbix's own {STOCK_GROUPS[g]}")

for p in problems:
    print("template:", p)
print("template: checked " + ", ".join(f"{v} {k}" for k, v in checked.items()) + f", {len(uuids)} uuids")
sys.exit(1 if problems else 0)

#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# Thin wrapper: the logic is in module_utils/warren_files.py.
from ansible.module_utils.basic import AnsibleModule

try:
    from ansible.module_utils.warren_files import FilesError, apply, plan
except ImportError:
    from ansible_collections.warren.wireguard.plugins.module_utils.warren_files import (
        FilesError, apply, plan)

DOCUMENTATION = r"""
module: warren_files
short_description: Bring a set of directories and small files to their content, owner and mode in one call
description:
  - One task, and one round trip to the target, for what would be a copy, template or file task
    per path. Directories come first, then files, then removals. Missing parent directories of a
    new directory or file are made root's, mode 0755.
  - A file is replaced only when its bytes differ, by a new file written beside it, synced and
    renamed over it; a file whose bytes are right only gets its owner and mode set.
  - O(secrets) are files whose content is never shown. The option is no_log, the diff says only
    that the file changes, and the result names paths, never content.
  - Check mode reports what would change and changes nothing. Diff mode shows a diff per file.
options:
  dirs:
    description: Directories; missing ones are made, and so are missing parents (root, 0755).
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: The directory., type: path, required: true}
      mode: {description: Octal mode such as "0755"., type: str, required: true}
      owner: {description: User name or numeric uid; empty leaves it., type: str, default: ""}
      group: {description: Group name or numeric gid; empty leaves it., type: str, default: ""}
  files:
    description: Files with their whole content, shown in diff mode.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: The file., type: path, required: true}
      content: {description: Its whole content., type: str, required: true}
      mode: {description: Octal mode such as "0644"., type: str, required: true}
      owner: {description: User name or numeric uid; empty leaves it., type: str, default: ""}
      group: {description: Group name or numeric gid; empty leaves it., type: str, default: ""}
  secrets:
    description: Files like O(files) whose content is a secret (keys); never shown or returned.
    type: list
    elements: dict
    default: []
    suboptions:
      path: {description: The file., type: path, required: true}
      content: {description: Its whole content., type: str, required: true, no_log: true}
      mode: {description: Octal mode such as "0600"., type: str, required: true}
      owner: {description: User name or numeric uid; empty leaves it., type: str, default: ""}
      group: {description: Group name or numeric gid; empty leaves it., type: str, default: ""}
  remove:
    description: Files to delete when they exist.
    type: list
    elements: path
    default: []
supports_check_mode: true
author: warren
"""

EXAMPLES = r"""
- name: Install the units and the launcher.
  warren_files:
    dirs:
      - {path: /usr/local/libexec/warren, mode: "0755"}
    files:
      - {path: /usr/local/libexec/warren/wg-go-start, content: "{{ lookup('file', 'wg-go-start') }}", mode: "0755"}
  register: installed
"""

RETURN = r"""
changed_paths: {description: The paths that changed (or would), in order., type: list, returned: always}
"""


def _entries(items, what):
    out = []
    for e in items:
        try:
            mode = int(e["mode"], 8)
        except ValueError:
            mode = -1
        if not 0 <= mode <= 0o7777:
            raise FilesError("%s: mode %r is not an octal mode" % (e["path"], e["mode"]))
        out.append(dict(e, mode=mode, secret=what == "secrets",
                        content=e["content"].encode() if "content" in e else None))
    return out


def _diff(kind, entry, what):
    path = entry["path"]
    if kind == "remove":
        return {"before_header": path, "after_header": path, "before": "(file)\n", "after": "(absent)\n"}
    if kind == "dir" or what == "meta":
        return {"before_header": path, "after_header": path, "before": "",
                "after": "%s %s %04o %s:%s\n" % (what, kind, entry["mode"], entry.get("owner") or "-",
                                                 entry.get("group") or "-")}
    if entry["secret"]:
        return {"before_header": path, "after_header": path, "before": "",
                "after": "(secret content %s)\n" % ("created" if what == "create" else "replaced")}
    before = ""
    if what == "content":
        with open(path, "rb") as f:
            before = f.read().decode(errors="replace")
    return {"before_header": path, "after_header": path, "before": before,
            "after": entry["content"].decode()}


def main():
    entry = dict(path=dict(type="path", required=True), mode=dict(type="str", required=True),
                 owner=dict(type="str", default=""), group=dict(type="str", default=""))
    module = AnsibleModule(argument_spec=dict(
        dirs=dict(type="list", elements="dict", default=[], options=entry),
        files=dict(type="list", elements="dict", default=[],
                   options=dict(entry, content=dict(type="str", required=True))),
        secrets=dict(type="list", elements="dict", default=[],
                     options=dict(entry, content=dict(type="str", required=True, no_log=True))),
        remove=dict(type="list", elements="path", default=[])),
        supports_check_mode=True)
    p = module.params
    try:
        dirs = _entries(p["dirs"], "dirs")
        files = _entries(p["files"], "files") + _entries(p["secrets"], "secrets")
        paths = [e["path"] for e in dirs + files] + p["remove"]
        dup = sorted({x for x in paths if paths.count(x) > 1})
        if dup:
            raise FilesError("%s: listed more than once" % dup[0])
        todo = plan(dirs, files, p["remove"])
        diff = [_diff(k, e, w) for k, e, w in todo] if module._diff else []
        changed = [e["path"] for k, e, w in todo]
        if not module.check_mode:
            apply(todo)
    except (FilesError, OSError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=bool(changed), changed_paths=changed, diff=diff)


if __name__ == "__main__":
    main()

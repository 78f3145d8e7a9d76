#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# The audit trail of key rotations and revocations (docs/rotation.md): one JSON line per event,
# appended to a file on the controller and/or sent to the local syslog socket (the journal).
import datetime
import json
import os
import re
import socket

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: wg_audit
short_description: Record WireGuard key rotations and revocations in an append-only log
description:
  - Appends one JSON line per event of O(events) (the C(events) that wg_keys returns) to the file
    O(path), opened with O_APPEND and created with mode 0600, and/or sends it to the syslog socket
    O(syslog_socket) with the tag C(warren-keys) (systemd-journald reads C(/dev/log)).
  - Each line has C(time) (UTC), C(host), C(interface), C(event), C(peer), C(trigger), C(old),
    C(new) (key fingerprints) and C(result). An event with any other field, or a fingerprint
    that is not 16 hex digits, fails the module before anything is written, so no key can reach
    the log.
  - Check mode writes nothing.
options:
  events: {description: The events (event, peer, trigger, old, new)., type: list, elements: dict,
           required: true}
  result: {description: The outcome to record, for example applied or failed., type: str, required: true}
  host: {description: The server the events belong to., type: str, required: true}
  interface: {description: Its WireGuard interface., type: str, required: true}
  path: {description: The log file to append to., type: path}
  syslog_socket: {description: A syslog datagram socket to send each line to., type: path}
  time:
    description:
      - The time to record (UTC, C(YYYY-MM-DDTHH:MM:SSZ)); default now. Give the same one to the
        runs that record the same events in two places.
    type: str
"""

EXAMPLES = r"""
- name: Record the key events of this run.
  wg_audit:
    events: "{{ wireguard_peers_events }}"
    result: applied
    host: "{{ inventory_hostname }}"
    interface: wg0
    path: "{{ inventory_dir }}/wireguard/audit.jsonl"
  delegate_to: localhost
"""

RETURN = r"""
lines: {description: The lines written (or that would be)., type: list, elements: str}
"""

FIELDS = {"event", "peer", "trigger", "old", "new"}
FP = re.compile(r"^[0-9a-f]{16}$")


def main():
    module = AnsibleModule(argument_spec=dict(
        events=dict(type="list", elements="dict", required=True),
        result=dict(type="str", required=True), host=dict(type="str", required=True),
        interface=dict(type="str", required=True), path=dict(type="path"),
        syslog_socket=dict(type="path"), time=dict(type="str")), supports_check_mode=True)
    p = module.params
    now = p["time"] or datetime.datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%SZ")
    if not re.match(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$", now):
        module.fail_json(msg="time: %r is not YYYY-MM-DDTHH:MM:SSZ" % now)
    lines = []
    for i, e in enumerate(p["events"]):
        extra = set(e) - FIELDS
        bad = [k for k in ("old", "new") if e.get(k) is not None and not FP.match(str(e[k]))]
        if extra or bad:
            module.fail_json(msg="events[%d]: %s" % (i, "unknown fields %s" % sorted(extra) if extra
                                                     else "%s is not a fingerprint" % bad[0]))
        line = dict(time=now, host=p["host"], interface=p["interface"], result=p["result"])
        line.update({k: e.get(k) for k in FIELDS})
        lines.append(json.dumps(line, sort_keys=True))
    if lines and not module.check_mode:
        if p["path"]:
            os.makedirs(os.path.dirname(p["path"]) or ".", 0o700, exist_ok=True)
            fd = os.open(p["path"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(fd, "a") as f:
                f.write("".join(x + "\n" for x in lines))
                f.flush()
                os.fsync(f.fileno())
        if p["syslog_socket"]:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            try:
                for x in lines:  # facility auth (4), severity notice (5)
                    s.sendto(("<37>warren-keys: %s" % x).encode(), p["syslog_socket"])
            except OSError as e:
                module.fail_json(msg="syslog %s: %s" % (p["syslog_socket"], e))
            finally:
                s.close()
    module.exit_json(changed=bool(lines), lines=lines)


if __name__ == "__main__":
    main()

# SPDX-License-Identifier: GPL-2.0-only
# community.general.lxc with pipelining that works. That plugin declares pipelining, but it hands
# the attached command a non-blocking stdin and never closes its end of the pipe, so a pipelined
# module fails at random ("Broken pipe", or a module that read half of itself). Here stdin is a
# blocking pipe that is closed once the module is written: one attach per task instead of four
# (make a temporary directory, copy the module, run it, remove it). Everything else is the
# community.general plugin's.
import errno
import os
import select

from ansible.module_utils.common.text.converters import to_native
from ansible_collections.community.general.plugins.connection.lxc import Connection as LxcConnection
from ansible_collections.community.general.plugins.connection import lxc as _upstream

DOCUMENTATION = r"""
name: warren_lxc
short_description: Run tasks in LXC containers (community.general.lxc, with working pipelining)
description:
  - The community.general.lxc connection (liblxc's attach, python3-lxc), whose pipelining
    passes the module on a blocking stdin that is closed once written.
  - Turn pipelining on (C(ansible_pipelining=true) or ansible.cfg C([connection] pipelining))
    to run each task with one attach.
author: warren
options:
  remote_addr:
    description: Container identifier.
    default: inventory_hostname
    vars:
      - name: inventory_hostname
      - name: ansible_host
      - name: ansible_lxc_host
  executable:
    description: Shell executable.
    default: /bin/sh
    vars:
      - name: ansible_executable
      - name: ansible_lxc_executable
"""


class Connection(LxcConnection):
    transport = "warren_lxc"
    has_pipelining = True

    def exec_command(self, cmd, in_data=None, sudoable=False):
        if not in_data:
            return super(Connection, self).exec_command(cmd, in_data, sudoable)
        # ConnectionBase's bookkeeping, without the upstream body.
        super(LxcConnection, self).exec_command(cmd, in_data=in_data, sudoable=sudoable)
        executable = to_native(self._play_context.executable, errors="surrogate_or_strict")
        argv = [executable, "-c", to_native(cmd, errors="surrogate_or_strict")]
        fds = {}
        try:
            fds["out_r"], fds["out_w"] = os.pipe()
            fds["err_r"], fds["err_w"] = os.pipe()
            fds["in_r"], fds["in_w"] = os.pipe()
            self._display.vvv("EXEC %s" % (argv,), host=self.container_name)
            pid = self.container.attach(_upstream._lxc.attach_run_command, argv,
                                        stdin=fds["in_r"], stdout=fds["out_w"],
                                        stderr=fds["err_w"],
                                        env_policy=_upstream._lxc.LXC_ATTACH_CLEAR_ENV)
            if pid == -1:
                raise _upstream.errors.AnsibleError(
                    "failed to attach to container %s" % self.container_name)
            for end in ("in_r", "out_w", "err_w"):
                os.close(fds.pop(end))
            return self._pump(pid, in_data, fds)
        finally:
            for fd in fds.values():
                os.close(fd)

    @staticmethod
    def _pump(pid, data, fds):
        """Writes @data to the child's stdin and closes it, while reading its stdout and stderr
        to their ends (so that neither side blocks on a full pipe); returns (rc, out, err)."""
        out = {fds["out_r"]: [], fds["err_r"]: []}
        readers = list(out)
        writer = fds["in_w"]
        os.set_blocking(writer, False)
        while readers or writer is not None:
            try:
                rd, wr, _ = select.select(readers, [writer] if writer is not None else [], [])
            except InterruptedError:
                continue
            if wr:
                try:
                    data = data[os.write(writer, data):]
                except OSError as e:
                    if e.errno != errno.EPIPE:
                        raise
                    data = b""
                if not data:
                    os.close(fds.pop("in_w"))
                    writer = None
            for fd in rd:
                chunk = os.read(fd, 65536)
                if chunk:
                    out[fd].append(chunk)
                else:
                    readers.remove(fd)
        _, status = os.waitpid(pid, 0)
        return (os.waitstatus_to_exitcode(status), b"".join(out[fds["out_r"]]),
                b"".join(out[fds["err_r"]]))

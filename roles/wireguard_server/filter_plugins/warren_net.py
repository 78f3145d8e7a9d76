# SPDX-License-Identifier: GPL-2.0-only
# warren_network: "192.168.100.1/24" -> "192.168.100.0/24" (no netaddr needed).
import ipaddress

from ansible.errors import AnsibleFilterError


def warren_network(value):
    try:
        return str(ipaddress.ip_interface(str(value)).network)
    except ValueError as e:
        raise AnsibleFilterError("warren_network: %s" % e)


class FilterModule(object):
    def filters(self):
        return {"warren_network": warren_network}

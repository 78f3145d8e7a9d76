# SPDX-License-Identifier: GPL-2.0-only
# warren_network: "192.168.100.1/24" -> "192.168.100.0/24" (no netaddr needed).
# warren_in_network: "192.168.100.7" | warren_in_network("192.168.100.0/24") -> True.
import ipaddress

from ansible.errors import AnsibleFilterError


def warren_network(value):
    try:
        return str(ipaddress.ip_interface(str(value)).network)
    except ValueError as e:
        raise AnsibleFilterError("warren_network: %s" % e)


def warren_in_network(address, network):
    try:
        return ipaddress.ip_address(str(address)) in ipaddress.ip_network(str(network))
    except ValueError:
        return False


class FilterModule(object):
    def filters(self):
        return {"warren_network": warren_network, "warren_in_network": warren_in_network}

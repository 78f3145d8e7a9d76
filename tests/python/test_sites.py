# SPDX-License-Identifier: GPL-2.0-only
# The site topology filter (filter_plugins/warren_sites.py): peers, allowed IPs, routes,
# keepalive only from the NAT side, relays, and refused overlaps naming both sites.
import os
import sys

import pytest
from ansible.errors import AnsibleFilterError

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "filter_plugins"))
from warren_sites import warren_site_peers  # noqa: E402


def sites(**over):
    s = {
        "edge": {"address": "10.99.0.1/24", "public_key": "E", "endpoint": "203.0.113.7:51820",
                 "relay": True},
        "home": {"address": "10.99.0.2/24", "public_key": "H", "subnets": ["192.168.10.0/24"]},
        "shop": {"address": "10.99.0.3/24", "public_key": "S", "subnets": ["192.168.30.0/24"]},
    }
    s.update(over)
    return s


def test_nat_site_talks_to_edge_with_keepalive_and_to_shop_through_the_relay():
    out = warren_site_peers(sites(), "home")
    assert out["peers"] == [{
        "name": "edge", "public_key": "E", "endpoint": "203.0.113.7:51820",
        "persistent_keepalive": 25,
        "allowed_ips": ["10.99.0.1/32", "10.99.0.3/32", "192.168.30.0/24"],
    }]
    assert out["routes"] == ["192.168.30.0/24"]
    assert out["forward"] is True


def test_reachable_hub_sends_no_keepalive_and_routes_every_site():
    out = warren_site_peers(sites(), "edge")
    assert [p["name"] for p in out["peers"]] == ["home", "shop"]
    assert all("persistent_keepalive" not in p and "endpoint" not in p for p in out["peers"])
    assert out["peers"][0]["allowed_ips"] == ["10.99.0.2/32", "192.168.10.0/24"]
    assert out["routes"] == ["192.168.10.0/24", "192.168.30.0/24"]
    assert out["forward"] is True


def test_two_public_sites_peer_directly_without_keepalive():
    s = sites(shop={"address": "10.99.0.3/24", "public_key": "S", "endpoint": "198.51.100.9:51820"})
    home = warren_site_peers(s, "home")
    assert {p["name"]: p.get("persistent_keepalive") for p in home["peers"]} == {"edge": 25, "shop": 25}
    shop = warren_site_peers(s, "shop")
    assert all("persistent_keepalive" not in p for p in shop["peers"])
    assert shop["forward"] is False  # a spoke: no subnets, no relay


def test_public_site_behind_a_port_forward_can_still_say_nat():
    s = sites(shop={"address": "10.99.0.3/24", "public_key": "S", "endpoint": "198.51.100.9:51820",
                    "nat": True, "keepalive": 15})
    shop = warren_site_peers(s, "shop")
    assert {p["name"]: p.get("persistent_keepalive") for p in shop["peers"]} == {"edge": 15, "home": None}


@pytest.mark.parametrize("over,msg", [
    ({"shop": {"address": "10.99.0.3/24", "public_key": "S", "subnets": ["192.168.10.128/25"]}},
     "sites.home.subnets 192.168.10.0/24 overlaps sites.shop.subnets 192.168.10.128/25"),
    ({"shop": {"address": "10.99.0.3/24", "public_key": "S", "subnets": ["10.99.0.0/16"]}},
     "sites.edge.address 10.99.0.1/32 overlaps sites.shop.subnets 10.99.0.0/16"),
    ({"shop": {"address": "10.99.0.3/24", "public_key": "S", "subnets": ["192.168.30.1/24"]}},
     'sites.shop.subnets[0]: "192.168.30.1/24" is not a CIDR'),
    ({"shop": {"address": "10.99.0.3/24", "public_key": "S", "port": 1}}, 'sites.shop: unknown field "port"'),
    ({"shop": {"address": "10.99.0.3/24"}}, "sites.shop.public_key: is required"),
    ({"shop": {"address": "10.99.0.3/24", "public_key": "S", "keepalive": True}}, "sites.shop.keepalive"),
])
def test_bad_sites_are_refused_naming_the_fields(over, msg):
    with pytest.raises(AnsibleFilterError) as e:
        warren_site_peers(sites(**over), "edge")
    assert msg in str(e.value)


def test_no_path_between_two_nat_sites_without_a_relay():
    s = sites(edge={"address": "10.99.0.1/24", "public_key": "E", "endpoint": "203.0.113.7:51820"})
    with pytest.raises(AnsibleFilterError) as e:
        warren_site_peers(s, "home")
    assert "sites home and shop: neither has an endpoint" in str(e.value)


def test_unknown_site():
    with pytest.raises(AnsibleFilterError) as e:
        warren_site_peers(sites(), "lab")
    assert '"lab" is not one of the sites (edge, home, shop)' in str(e.value)


def test_ipv6_prefixes():
    s = sites(home={"address": "10.99.0.2/24", "public_key": "H",
                    "subnets": ["192.168.10.0/24", "fd10::/64"]})
    assert warren_site_peers(s, "edge")["routes"] == ["192.168.10.0/24", "192.168.30.0/24", "fd10::/64"]


def test_health_lists_every_other_site_with_the_key_that_counts_and_its_probe():
    s = sites(home={"address": "10.99.0.2/24", "public_key": "H", "subnets": ["192.168.10.0/24"],
                    "probe": "192.168.10.5"},
              shop={"address": "10.99.0.3/24", "public_key": "S",
                    "subnets": ["192.168.30.0/24", "fd30::/64"], "probe": "[fd30::5]:22"})
    assert warren_site_peers(s, "home")["health"] == [
        {"site": "edge", "public_key": "E"},
        {"site": "shop", "public_key": "E", "via": "edge", "probe": "[fd30::5]:22"},
    ]
    assert warren_site_peers(s, "edge")["health"] == [
        {"site": "home", "public_key": "H", "probe": "192.168.10.5"},
        {"site": "shop", "public_key": "S", "probe": "[fd30::5]:22"},
    ]


@pytest.mark.parametrize("probe,msg", [
    ("192.168.99.5", "sites.home.probe: 192.168.99.5 is in none of the site's subnets (192.168.10.0/24)"),
    ("192.168.10.5:0", 'sites.home.probe: "192.168.10.5:0": the port must be 1-65535'),
    ("host.example", 'sites.home.probe: "host.example" is not an address'),
    ("[192.168.10.5", 'sites.home.probe: "[192.168.10.5" is not [ADDRESS]:PORT'),
])
def test_bad_probes_are_refused_naming_site_and_field(probe, msg):
    s = sites(home={"address": "10.99.0.2/24", "public_key": "H", "subnets": ["192.168.10.0/24"],
                    "probe": probe})
    with pytest.raises(AnsibleFilterError) as e:
        warren_site_peers(s, "edge")
    assert msg in str(e.value)


def test_a_probe_needs_subnets():
    s = sites(laptop={"address": "10.99.0.4/24", "public_key": "L", "probe": "10.99.0.4"})
    with pytest.raises(AnsibleFilterError) as e:
        warren_site_peers(s, "edge")
    assert "sites.laptop.probe: 10.99.0.4 is in none of the site's subnets (none)" in str(e.value)

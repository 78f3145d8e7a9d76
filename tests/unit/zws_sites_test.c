// SPDX-License-Identifier: GPL-2.0-only
/* Unit tests: zabbix-wg-stats' sites file (every refusal names its field), probe addresses, and a
 * site's up state at the 180 s boundary. */
#include <errno.h>
#include <string.h>

#include "check.h"
#include "zabbix-wg-stats/cmd.h"

#define K "hH0NwrwYPGqWZ0qRP3O8ORqM6q6Ch6hNfb4Ch9wPEEo="

/* Parses @text; returns the error message ("" when accepted). */
static const char *parse(const char *text, struct zws_sites *s)
{
	static struct err err;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, NULL);

	memset(&err, 0, sizeof(err));
	if (!root)
		return "not JSON";
	if (zws_sites_parse(s, root, &err))
		err.msg[0] = '\0';
	json_decref(root);
	return err.msg;
}

static void refused(const char *text, const char *msg)
{
	struct zws_sites s;

	CHECK_STR_CONTAINS(parse(text, &s), msg);
	CHECK(s.n == 0 && s.v == NULL);
}

static void test_accepted(void)
{
	struct zws_sites s;

	CHECK(!strcmp(parse("{\"site\": \"home\", \"sites\": [{\"site\": \"edge\", \"public_key\": "
			    "\"" K "\", \"interface\": \"wg1\", \"probe\": \"10.70.0.5\"}, "
			    "{\"site\": \"shop.1\", \"public_key\": \"" K "\", \"via\": \"edge\", "
			    "\"probe\": \"[fd30::5]:22\"}, {\"site\": \"laptop\", \"public_key\": "
			    "\"" K "\"}]}",
			    &s),
		      ""));
	CHECK(s.n == 3 && !strcmp(s.self, "home"));
	if (s.n != 3)
		return;
	CHECK(!strcmp(s.v[0].name, "edge") && !strcmp(s.v[0].ifname, "wg1"));
	CHECK(s.v[0].has_probe && !s.v[0].probe.tcp && s.v[0].probe.addr.sa.sa_family == AF_INET);
	CHECK(s.v[1].has_probe && s.v[1].probe.tcp && s.v[1].probe.addr.sa.sa_family == AF_INET6 &&
	      ntohs(s.v[1].probe.addr.sin6.sin6_port) == 22);
	CHECK(!s.v[2].has_probe && !s.v[2].ifname[0]);
	zws_sites_free(&s);
	CHECK(!strcmp(parse("{\"sites\": []}", &s), "") && s.n == 0);
	zws_sites_free(&s);
}

static void test_refused(void)
{
	refused("[]", "sites file: must be an object");
	refused("{}", "sites: is required");
	refused("{\"sites\": {}}", "sites: must be a list");
	refused("{\"sites\": [], \"x\": 1}", "unknown field \"x\"");
	refused("{\"site\": \"a b\", \"sites\": []}", "site: \"a b\" is not a site name");
	refused("{\"sites\": [1]}", "sites[0]: must be an object");
	refused("{\"sites\": [{\"public_key\": \"" K "\"}]}", "sites[0].site: is required");
	refused("{\"sites\": [{\"site\": \"e\"}]}", "sites[0].public_key: is required");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"x\"}]}",
		"sites[0].public_key: \"x\" is not a base64 WireGuard key");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K "\", \"port\": 1}]}",
		"unknown field \"sites[0].port\"");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K
		"\", \"interface\": \"../x\"}]}",
		"sites[0].interface: \"../x\" is not an interface name");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K
		"\", \"probe\": \"h.example\"}]}",
		"sites[0].probe: \"h.example\" is not an address");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K
		"\", \"probe\": \"10.0.0.1:0\"}]}",
		"sites[0].probe: \"10.0.0.1:0\"");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K "\", \"probe\": 5}]}",
		"sites[0].probe: must be a non-empty string");
	refused("{\"sites\": [{\"site\": \"e\", \"public_key\": \"" K "\"}, {\"site\": \"e\", "
		"\"public_key\": \"" K "\"}]}",
		"sites[1].site: \"e\" is also sites[0]");
}

static void test_up(void)
{
	struct zws_site site;

	memset(&site, 0, sizeof(site));
	site.age = -1;
	CHECK(zws_site_up(&site) == -1);
	site.age = 0;
	CHECK(zws_site_up(&site) == 1);
	site.age = ZWS_CONNECTED_SEC - 1;
	CHECK(zws_site_up(&site) == 1);
	site.age = ZWS_CONNECTED_SEC;
	CHECK(zws_site_up(&site) == 0);
	/* Not probed: no probe, or a socket this host refuses. */
	CHECK(zws_site_probe_success(&site) == -1);
	site.has_probe = true;
	site.probe.result = -ETIMEDOUT;
	CHECK(zws_site_probe_success(&site) == 0);
	site.probe.result = 0;
	CHECK(zws_site_probe_success(&site) == 1);
	site.probe.result = -EACCES;
	site.probe.local = true;
	CHECK(zws_site_probe_success(&site) == -1);
}

static void test_missing_file(void)
{
	struct zws_sites s;
	struct err err = {{0}};

	CHECK(zws_sites_load(&s, "/nonexistent/warren/sites.json", &err) && s.n == 0);
	CHECK(!zws_sites_load(&s, "/", &err));
	CHECK_STR_CONTAINS(err.msg, "/: ");
}

static void test_probe_timeout(void)
{
	struct netprobe p;

	CHECK(netprobe_run(&p, 0, 0) == -EINVAL);
	CHECK(netprobe_run(&p, 0, NETPROBE_TIMEOUT_MAX_MS + 1) == -EINVAL);
	CHECK(netprobe_run(&p, 0, 1) == 0);
}

int main(void)
{
	test_accepted();
	test_refused();
	test_up();
	test_missing_file();
	test_probe_timeout();
	return check_report("zws_sites_test");
}

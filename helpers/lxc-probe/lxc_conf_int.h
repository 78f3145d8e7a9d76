/* SPDX-License-Identifier: GPL-2.0-only */
/* Internals shared by lxc_conf.c and lxc_pve.c; not an API. */
#ifndef WARREN_LXC_CONF_INT_H
#define WARREN_LXC_CONF_INT_H

#include "lxc_conf.h"

/* Applies one raw "lxc.key" setting. */
bool lxc_conf_set(struct lxc_conf *conf, const char *key, const char *v, struct err *err);
/* One trimmed Proxmox "key: value" line. */
bool lxc_pve_line(struct lxc_conf *conf, char *line, struct err *err);
/*
 * A Proxmox section header, as pve-container reads one: "[pve:pending]" or a snapshot
 * "[name]" (a letter, then letters, digits, '_' or '-'; any case), at the very start of the
 * line, trailing blanks allowed. The current config is everything before the first one.
 */
bool lxc_pve_section(const char *line);
/* Proxmox defaults that depend on the whole file (the unprivileged id map). */
void lxc_pve_finish(struct lxc_conf *conf);
bool lxc_conf_parse_u64(const char *s, uint64_t *v);
char *lxc_conf_trim(char *s);

#endif

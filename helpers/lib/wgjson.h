/* SPDX-License-Identifier: GPL-2.0-only */
/* JSON views of the device model. Public keys only: never a private or preshared key. */
#ifndef WARREN_WGJSON_H
#define WARREN_WGJSON_H

#include <jansson.h>

#include "wgdev.h"

/* {"interface", "public_key", "listen_port", "fwmark", "peers": [...]} */
json_t *wgjson_device(const struct wg_device *dev);
/* One peer: public_key, preshared_key (bool), endpoint, allowed_ips, latest_handshake, ... */
json_t *wgjson_peer(const struct wg_peer *p);
json_t *wgjson_allowedips(const struct wg_peer *p);

#endif

/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef WG_PEER_SYNC_CMD_H
#define WG_PEER_SYNC_CMD_H

int sync_main(int argc, char *argv[]);
int show_main(int argc, char *argv[]);
int genkey_main(int argc, char *argv[]);
int genpsk_main(int argc, char *argv[]);
int pubkey_main(int argc, char *argv[]);

#endif

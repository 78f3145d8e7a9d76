#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# A real Zabbix 6.0 server + frontend + JSON-RPC API from Debian 12's packages, as a NAMED
# INSTANCE with its own PostgreSQL data directory, zabbix_server, php-fpm and nginx processes,
# all in /var/lib/warren-zbx/NAME and all on 127.0.0.1, so that the lab's server and a test's
# server run side by side. Nothing is started through init scripts and no system-wide daemon is
# touched. Adapted from /work/shared/third-party/zabbix/setup-zabbix-server.sh (written for
# this project), which runs one instance on fixed ports.
#
#   zabbix-server.sh up NAME WEB_PORT SERVER_PORT PG_PORT   install (apt, once), create, start
#   zabbix-server.sh down NAME [--purge]                     stop it (and delete its data)
#   zabbix-server.sh env NAME                                print ZABBIX_API, ZABBIX_USER, ...
#
# up is idempotent: a running instance is left alone. The Admin password is random per instance
# (NAME's directory, file admin-pass, root 0600). The frontend reads /etc/zabbix/zabbix.conf.php,
# a path fixed by Debian: that file picks each instance's database from what its nginx passes
# (fastcgi_param WARREN_ZBX_*).
set -euo pipefail
PHPV=8.2 PGBIN=/usr/lib/postgresql/15/bin
cmd=${1:?usage: zabbix-server.sh up|down|env NAME ...} name=${2:?NAME}
[[ $name =~ ^[a-z0-9-]{1,32}$ ]] || { echo "zabbix-server.sh: bad NAME \"$name\"" >&2; exit 2; }
D=/var/lib/warren-zbx/$name

log() { printf 'zabbix-server[%s] %s\n' "$name" "$*" >&2; }
pid_alive() { [ -s "$1" ] && kill -0 "$(head -1 "$1")" 2>/dev/null; }

stop() {
	local f p
	for f in nginx php-fpm zabbix_server; do
		if pid_alive "$D/run/$f.pid"; then
			p=$(head -1 "$D/run/$f.pid")
			kill "$p" 2>/dev/null || true
			for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
			kill -9 "$p" 2>/dev/null || true
		fi
	done
	if [ -s "$D/pg/postmaster.pid" ]; then
		su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $D/pg -m fast -w -t 30 stop" >/dev/null 2>&1 || true
	fi
}

env_out() {
	echo "ZABBIX_API=http://127.0.0.1:$(cat "$D/web-port")/api_jsonrpc.php"
	echo "ZABBIX_URL=http://127.0.0.1:$(cat "$D/web-port")/"
	echo "ZABBIX_USER=Admin"
	echo "ZABBIX_PASSWORD=$(cat "$D/admin-pass")"
	echo "ZABBIX_SERVER_PORT=$(cat "$D/server-port")"
}

case $cmd in
down)
	stop
	if [ "${3:-}" = --purge ]; then rm -rf "$D"; log "stopped and removed"; else log "stopped"; fi
	exit 0
	;;
env) env_out; exit 0 ;;
up) ;;
*) echo "zabbix-server.sh: unknown command $cmd" >&2; exit 2 ;;
esac
web=${3:?WEB_PORT} srv=${4:?SERVER_PORT} pg=${5:?PG_PORT}
T0=$(date +%s)

# ---- packages (php8.2-fpm first, or apt satisfies php with Apache's module) --------------------
pkgs=("php$PHPV-fpm" "php$PHPV-pgsql" zabbix-server-pgsql zabbix-frontend-php nginx
	postgresql-15 curl jq)
installed=$(dpkg-query -W -f='${db:Status-Abbrev}\n' "${pkgs[@]}" 2>/dev/null | grep -c '^ii' || true)
if [ "$installed" -ne ${#pkgs[@]} ]; then
	log "apt-get install ${pkgs[*]}"
	# A package's postinst may start its daemon (nginx on :80): policy-rc.d says no, for this run.
	prc=/usr/sbin/policy-rc.d
	if [ ! -e $prc ]; then printf '#!/bin/sh\nexit 101\n' >$prc && chmod 755 $prc && trap 'rm -f $prc' EXIT; fi
	inst() {
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=900 -y -q install \
			--no-install-recommends --no-upgrade "${pkgs[@]}" >/dev/null
	}
	inst || { apt-get -o DPkg::Lock::Timeout=900 -q update >/dev/null && inst; }
fi

mkdir -p "$D"/{run,log,tmp}
chmod 0755 "$D"
chown zabbix:zabbix "$D/run" "$D/log"
chmod 0775 "$D/run"
echo "$web" >"$D/web-port"
echo "$srv" >"$D/server-port"
[ -s "$D/db-pass" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$D/db-pass")
[ -s "$D/admin-pass" ] || (umask 077 && head -c 18 /dev/urandom | base64 | tr -d '/+=' >"$D/admin-pass")
dbpass=$(cat "$D/db-pass")

# ---- PostgreSQL: a data directory of this instance's own, TCP on 127.0.0.1:PG_PORT ----------------
if [ ! -s "$D/pg/PG_VERSION" ]; then
	log "initdb $D/pg"
	install -d -o postgres -g postgres -m 0700 "$D/pg"
	(umask 077 && echo "$dbpass" >"$D/tmp/pw" && chown postgres "$D/tmp/pw")
	su postgres -s /bin/sh -c "$PGBIN/initdb -D $D/pg -U postgres --auth-local=peer \
		--auth-host=scram-sha-256 --pwfile=$D/tmp/pw -E UTF8 --locale=C.UTF-8" >/dev/null
	rm -f "$D/tmp/pw"
fi
if ! su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $D/pg status" >/dev/null 2>&1; then
	su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D $D/pg -w -t 60 -l $D/pg/server.log start \
		-o \"-p $pg -c listen_addresses=127.0.0.1 -k $D/pg -c shared_buffers=64MB\"" >/dev/null
fi
export PGPASSWORD=$dbpass
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg" -U postgres)
if ! "${PSQL[@]}" -tAc "select 1 from pg_roles where rolname='zabbix'" | grep -q 1; then
	"${PSQL[@]}" -c "create role zabbix login password '$dbpass'"
	"${PSQL[@]}" -c "create database zabbix owner zabbix encoding UTF8 template template0"
fi
ZPSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg" -U zabbix zabbix)
if ! "${ZPSQL[@]}" -tAc "select 1 from pg_tables where tablename='dbversion'" | grep -q 1; then
	log "loading the Zabbix schema and data"
	zcat /usr/share/zabbix-server-pgsql/{schema,images,data}.sql.gz | "${ZPSQL[@]}" >/dev/null
fi

# ---- zabbix_server ----------------------------------------------------------------------------
(umask 027 && cat >"$D/zabbix_server.conf" <<EOF
LogFile=$D/log/zabbix_server.log
LogFileSize=10
PidFile=$D/run/zabbix_server.pid
SocketDir=$D/run
DBHost=127.0.0.1
DBPort=$pg
DBName=zabbix
DBUser=zabbix
DBPassword=$dbpass
ListenIP=127.0.0.1
ListenPort=$srv
StartPollers=3
StartPollersUnreachable=1
StartTrappers=3
StartPingers=1
StartDiscoverers=1
StartHTTPPollers=1
StartPreprocessors=2
Timeout=10
# new hosts, items and macros reach the configuration cache within 5 s (default 60)
CacheUpdateFrequency=5
UnreachablePeriod=15
UnavailableDelay=15
UnreachableDelay=5
EOF
)
chgrp zabbix "$D/zabbix_server.conf"

# ---- php-fpm and nginx, this instance's own processes ---------------------------------------------
cat >"$D/php-fpm.conf" <<EOF
[global]
pid = $D/run/php-fpm.pid
error_log = $D/log/php-fpm.log
daemonize = yes
[zabbix]
user = www-data
group = www-data
listen = $D/run/php.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
pm = ondemand
pm.max_children = 6
pm.process_idle_timeout = 30s
php_value[session.save_path] = $D/tmp
php_value[max_execution_time] = 300
php_value[memory_limit] = 256M
php_value[post_max_size] = 16M
php_value[upload_max_filesize] = 2M
php_value[max_input_time] = 300
php_value[max_input_vars] = 10000
php_value[date.timezone] = UTC
php_flag[display_errors] = off
EOF
chown www-data "$D/tmp"
(umask 077 && cat >"$D/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $D/run/nginx.pid;
error_log $D/log/nginx.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path $D/tmp/body;
    fastcgi_temp_path $D/tmp/fastcgi;
    proxy_temp_path $D/tmp/proxy;
    uwsgi_temp_path $D/tmp/uwsgi;
    scgi_temp_path $D/tmp/scgi;
    server {
        listen 127.0.0.1:$web;
        root /usr/share/zabbix;
        index index.php;
        client_max_body_size 16m;
        location ~ ^/(conf|app|include|local|locale|vendor)/ { deny all; return 404; }
        location ~ [^/]\.php(/|\$) {
            fastcgi_split_path_info ^(.+?\.php)(/.*)\$;
            fastcgi_pass unix:$D/run/php.sock;
            include /etc/nginx/fastcgi_params;
            fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
            fastcgi_param WARREN_ZBX_DB_PORT $pg;
            fastcgi_param WARREN_ZBX_DB_PASSWORD $dbpass;
            fastcgi_param WARREN_ZBX_SERVER_PORT $srv;
            fastcgi_param WARREN_ZBX_NAME $name;
            fastcgi_read_timeout 300s;
        }
        location / { try_files \$uri \$uri/ =404; }
    }
}
EOF
)
# The frontend's one configuration file: each instance's nginx says which database to use.
if ! grep -q WARREN_ZBX_DB_PORT /etc/zabbix/zabbix.conf.php 2>/dev/null; then
	[ ! -e /etc/zabbix/zabbix.conf.php ] || cp -p /etc/zabbix/zabbix.conf.php /etc/zabbix/zabbix.conf.php.warren-orig
	cat >/etc/zabbix/zabbix.conf.php <<'EOF'
<?php
// warren (tests/zabbix/zabbix-server.sh): several Zabbix instances share this frontend; each
// instance's nginx passes its database port and password as WARREN_ZBX_* FastCGI parameters.
if (!isset($_SERVER['WARREN_ZBX_DB_PORT']) && is_readable('/etc/zabbix/zabbix.conf.php.warren-orig')) {
	include '/etc/zabbix/zabbix.conf.php.warren-orig';
	return;
}
$DB['TYPE'] = 'POSTGRESQL';
$DB['SERVER'] = '127.0.0.1';
$DB['PORT'] = $_SERVER['WARREN_ZBX_DB_PORT'];
$DB['DATABASE'] = 'zabbix';
$DB['USER'] = 'zabbix';
$DB['PASSWORD'] = $_SERVER['WARREN_ZBX_DB_PASSWORD'];
$DB['SCHEMA'] = '';
$DB['ENCRYPTION'] = false;
$DB['KEY_FILE'] = '';
$DB['CERT_FILE'] = '';
$DB['CA_FILE'] = '';
$DB['VERIFY_HOST'] = false;
$DB['CIPHER_LIST'] = '';
$DB['VAULT_URL'] = '';
$DB['VAULT_DB_PATH'] = '';
$DB['VAULT_TOKEN'] = '';
$DB['DOUBLE_IEEE754'] = true;
$ZBX_SERVER = '127.0.0.1';
$ZBX_SERVER_PORT = $_SERVER['WARREN_ZBX_SERVER_PORT'];
$ZBX_SERVER_NAME = 'warren-' . $_SERVER['WARREN_ZBX_NAME'];
$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
EOF
	chown root:www-data /etc/zabbix/zabbix.conf.php
	chmod 0640 /etc/zabbix/zabbix.conf.php
fi

pid_alive "$D/run/php-fpm.pid" || "/usr/sbin/php-fpm$PHPV" -y "$D/php-fpm.conf"
pid_alive "$D/run/nginx.pid" || nginx -q -c "$D/nginx.conf" -p "$D"
pid_alive "$D/run/zabbix_server.pid" || zabbix_server -c "$D/zabbix_server.conf"

# ---- wait for the API; Admin's password; the stock "Zabbix server" host off ----------------------
API=http://127.0.0.1:$web/api_jsonrpc.php
api() { curl -fsS -m 30 -H 'Content-Type: application/json-rpc' -d "$1" "$API"; }
for i in $(seq 60); do
	api '{"jsonrpc":"2.0","method":"apiinfo.version","params":{},"id":1}' 2>/dev/null | jq -e .result >/dev/null && break
	[ "$i" -lt 60 ] || { log "the API did not answer at $API"; exit 1; }
	sleep 1
done
adm=$(cat "$D/admin-pass")
login() { api "{\"jsonrpc\":\"2.0\",\"method\":\"user.login\",\"params\":{\"username\":\"Admin\",\"password\":\"$1\"},\"id\":2}" | jq -er .result; }
if ! tok=$(login "$adm" 2>/dev/null); then
	tok=$(login zabbix)
	uid=$(api "{\"jsonrpc\":\"2.0\",\"method\":\"user.get\",\"params\":{\"filter\":{\"username\":\"Admin\"}},\"auth\":\"$tok\",\"id\":3}" | jq -er '.result[0].userid')
	api "{\"jsonrpc\":\"2.0\",\"method\":\"user.update\",\"params\":{\"userid\":\"$uid\",\"passwd\":\"$adm\"},\"auth\":\"$tok\",\"id\":4}" | jq -e .result >/dev/null
	tok=$(login "$adm")
fi
api "{\"jsonrpc\":\"2.0\",\"method\":\"host.get\",\"params\":{\"filter\":{\"host\":[\"Zabbix server\"],\"status\":0},\"output\":[\"hostid\"]},\"auth\":\"$tok\",\"id\":5}" |
	jq -r '.result[].hostid' | while read -r hid; do
	api "{\"jsonrpc\":\"2.0\",\"method\":\"host.update\",\"params\":{\"hostid\":\"$hid\",\"status\":1},\"auth\":\"$tok\",\"id\":6}" >/dev/null
done
for i in $(seq 60); do
	ss -ltnH "sport = :$srv" | grep -q "127.0.0.1:$srv" && break
	[ "$i" -lt 60 ] || { tail -20 "$D/log/zabbix_server.log" >&2; exit 1; }
	sleep 1
done
log "up in $(($(date +%s) - T0)) s: http://127.0.0.1:$web/ (server 127.0.0.1:$srv, PostgreSQL 127.0.0.1:$pg)"

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# install-netbox.sh -- real NetBox v3.1.11 (REST API) on Debian 12 "bookworm", as root,
# with NO PyPI: every Python dependency comes from Debian bookworm's apt repositories
# except drf-yasg (not packaged in Debian), which comes from a GitHub snapshot.
#
# Everything lives under $BASE (default /opt/netbox-trial); logs/pids under $BASE/{log,run}.
# PostgreSQL 15 and Redis 7 are Debian's binaries, but run as PRIVATE instances
# (own data dir, own port, 127.0.0.1 only), so a system postgresql/redis is never touched.
# NetBox is served by gunicorn (Debian python3-gunicorn) on 127.0.0.1:8000.
#
# Sources (no internet needed): $SRC_DIR/netbox-v3.1.11.tar.xz and $SRC_DIR/drf-yasg-1.21.5.tar.xz
# (SRC_DIR defaults to $WARREN_THIRD_PARTY/netbox, WARREN_THIRD_PARTY to /work/shared/third-party);
# without them, a git clone of the same tags from GitHub.
# warren's copy of the project's shared recipe (third-party/netbox/install-netbox.sh), changed:
# SRC_DIR from WARREN_THIRD_PARTY; BASE may also be /tmp/warren-netbox* or /var/lib/warren/netbox*;
# the token may come from API_TOKEN_FILE; env.sh is mode 0600.
#
# Usage:  bash install-netbox.sh          # install + start, prints timings
#         bash $BASE/stop-netbox.sh       # stop gunicorn, redis, postgres (by pid)
# The recipe as tested: word splitting of the package lists is meant.
# shellcheck disable=SC2086,SC2012,SC2034
set -euo pipefail

BASE=${BASE:-/opt/netbox-trial}
SRC_DIR=${SRC_DIR:-${WARREN_THIRD_PARTY:-/work/shared/third-party}/netbox}
NETBOX_TAG=${NETBOX_TAG:-v3.1.11}
DRFYASG_TAG=${DRFYASG_TAG:-1.21.5}
PGPORT=${PGPORT:-15432}         # private PostgreSQL port (not the system 5432); next free one is used
REDIS_PORT=${REDIS_PORT:-16379} # private Redis port (not the system 6379); next free one is used
NB_BIND=${NB_BIND:-127.0.0.1:8000}
NB_WORKERS=${NB_WORKERS:-2}
DB_PASS=${DB_PASS:-netbox-trial-db-pw}
ADMIN_USER=${ADMIN_USER:-admin}
ADMIN_PASS=${ADMIN_PASS:-admin-trial-pw}
ADMIN_EMAIL=${ADMIN_EMAIL:-admin@example.invalid}
API_TOKEN=${API_TOKEN:-0123456789abcdef0123456789abcdef01234567}   # 40 hex chars
FAST_PG=${FAST_PG:-1}           # 1 = fsync/synchronous_commit off (throw-away trial DB)
PY=/usr/bin/python3             # Debian's python3 (3.11), never a pyenv shim
export DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 LANG=C.UTF-8
unset PYTHONPATH PYTHONHOME || true

ts() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(ts)" 'BEGIN{printf "%.1f", b-a}'; }
log() { echo "[$(date +%T)] $*"; }
T_ALL=$(ts)

# ---------------------------------------------------------------- 0. clean slate
case "$BASE" in /opt/netbox*|/tmp/netbox*|/tmp/warren-netbox*|/var/lib/warren/netbox*) ;;
*) echo "refusing BASE=$BASE (must be /opt/netbox*, /tmp/netbox*, /tmp/warren-netbox* or /var/lib/warren/netbox*)"; exit 1;; esac
[ -n "${API_TOKEN_FILE:-}" ] && API_TOKEN=$(cat "$API_TOKEN_FILE")
if [ -x "$BASE/stop-netbox.sh" ]; then bash "$BASE/stop-netbox.sh" || true; fi
rm -rf "$BASE"
mkdir -p "$BASE"/{log,run,src}
chmod 755 "$BASE"

# ---------------------------------------------------------------- 1. Debian packages
T=$(ts)
PKGS="python3-django python3-djangorestframework python3-django-cors-headers
python3-django-debug-toolbar python3-django-filters python3-django-mptt python3-django-pglocks
python3-django-prometheus python3-django-redis python3-django-rq python3-django-tables2
python3-django-taggit python3-django-timezone-field python3-django-graphene python3-graphene
python3-graphql-core python3-django-graphiql-debug-toolbar python3-social-django
python3-social-auth-core python3-gunicorn python3-jinja2 python3-markdown python3-netaddr
python3-pil python3-psycopg2 python3-yaml python3-svgwrite python3-tablib python3-jsonschema
python3-coreapi python3-coreschema python3-ruamel.yaml python3-inflection python3-uritemplate
python3-packaging python3-swagger-spec-validator python3-tz python3-pkg-resources
python3-venv python3-pynetbox redis-server git ca-certificates curl iproute2 procps"
[ "${WITH_ANSIBLE:-0}" = 1 ] && PKGS="$PKGS ansible"   # Debian ansible 7.7 (netbox.netbox 3.13) for the proof
# only install the PostgreSQL server if it is absent (do not upgrade a server someone may be using)
[ -x /usr/lib/postgresql/15/bin/postgres ] || PKGS="$PKGS postgresql-15"
MISSING=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $PKGS 2>/dev/null | awk '$1=="ii"{print $2}' |
          sort | comm -13 - <(printf '%s\n' $PKGS | sort) || true)
if [ -n "$MISSING" ]; then
  log "apt-get install: $(echo $MISSING | wc -w) packages missing"
  [ "${SKIP_APT_UPDATE:-0}" = 1 ] || apt-get update -q -o DPkg::Lock::Timeout=600 >"$BASE/log/apt-update.log" 2>&1
  apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 $MISSING >"$BASE/log/apt.log" 2>&1 ||
    { tail -20 "$BASE/log/apt.log"; exit 1; }
fi
T_APT=$(since "$T"); log "packages ready (${T_APT}s)"

# ---------------------------------------------------------------- 2. sources (no PyPI)
T=$(ts)
# NetBox and drf-yasg sources: the tarballs beside this script (exported from the GitHub tags),
# or a clone from GitHub where the machine has internet.
get_src() {  # get_src <tarball-name> <github-url> <tag> -> path of a .tar.xz
  local tb="$SRC_DIR/$1" tmp
  if [ ! -s "$tb" ]; then
    tb="$BASE/src/$1"; tmp=$(mktemp -d)
    git clone -q --depth 1 -b "$3" "$2" "$tmp/r" && git -C "$tmp/r" archive --format=tar "$3" | xz -T0 >"$tb"
    rm -rf "$tmp"
  fi
  echo "$tb"
}
NB_TAR=$(get_src "netbox-$NETBOX_TAG.tar.xz" https://github.com/netbox-community/netbox.git "$NETBOX_TAG")
YASG_TAR=$(get_src "drf-yasg-$DRFYASG_TAG.tar.xz" https://github.com/axnsan12/drf-yasg.git "$DRFYASG_TAG")
mkdir -p "$BASE/netbox"
tar -xf "$NB_TAR" -C "$BASE/netbox" --exclude='./docs' --exclude='docs' --exclude='.github'
mkdir -p "$BASE/netbox/netbox/project-static/docs"   # STATICFILES_DIRS entry normally built by mkdocs

# virtualenv that sees Debian's packages; the only non-Debian module (drf_yasg) goes into it
$PY -m venv --system-site-packages --without-pip "$BASE/venv"
SITE=$("$BASE/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
tar -xf "$YASG_TAR" -C "$BASE/src" --wildcards '*src/drf_yasg'
mv "$BASE/src"/*src/drf_yasg "$SITE/drf_yasg"; rm -rf "$BASE/src"/*src
# minimal dist-info so pkg_resources/importlib.metadata report the version (drf_yasg/__init__ asks)
mkdir -p "$SITE/drf_yasg-$DRFYASG_TAG.dist-info"
printf 'Metadata-Version: 2.1\nName: drf-yasg\nVersion: %s\n' "$DRFYASG_TAG" >"$SITE/drf_yasg-$DRFYASG_TAG.dist-info/METADATA"
printf 'drf_yasg\n' >"$SITE/drf_yasg-$DRFYASG_TAG.dist-info/top_level.txt"
echo "installed from GitHub snapshot axnsan12/drf-yasg@$DRFYASG_TAG" >"$SITE/drf_yasg-$DRFYASG_TAG.dist-info/INSTALLER"
T_SRC=$(since "$T"); log "sources + venv ready (${T_SRC}s)"

# ---------------------------------------------------------------- 3. PostgreSQL (private instance)
port_busy() { ss -Hltn "sport = :$1" | grep -q .; }
while port_busy "$PGPORT"; do PGPORT=$((PGPORT+1)); done
while port_busy "$REDIS_PORT"; do REDIS_PORT=$((REDIS_PORT+1)); done
if port_busy "${NB_BIND##*:}"; then echo "port ${NB_BIND##*:} is already in use"; exit 1; fi
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
# stop script first, so that a failure later still leaves a way to stop what was started
cat >"$BASE/stop-netbox.sh" <<EOF
#!/bin/bash
# stops only the processes install-netbox.sh started (by pid file), then removes the pid files
stop_pid() { local f=\$1 n=\$2 p; [ -s "\$f" ] || return 0; p=\$(cat "\$f")
  if kill "\$p" 2>/dev/null; then for i in \$(seq 100); do kill -0 "\$p" 2>/dev/null || break; sleep 0.1; done; echo "\$n (pid \$p) stopped"; fi
  rm -f "\$f"; }
stop_pid $BASE/run/gunicorn.pid gunicorn
stop_pid $BASE/run/redis/redis.pid redis
[ -s $BASE/pgdata/postmaster.pid ] && runuser -u postgres -- $PGBIN/pg_ctl -D $BASE/pgdata -m fast -w stop
true
EOF
chmod +x "$BASE/stop-netbox.sh"
T=$(ts)
install -d -o postgres -g postgres -m 700 "$BASE/pgdata"
install -d -o postgres -g postgres -m 755 "$BASE/run/pg"
touch "$BASE/log/postgres.log"; chown postgres:postgres "$BASE/log/postgres.log"
runuser -u postgres -- "$PGBIN/initdb" -D "$BASE/pgdata" -U postgres -E UTF8 --locale=C.UTF-8 \
  --auth-local=peer --auth-host=scram-sha-256 --no-sync >"$BASE/log/initdb.log"
PGOPTS="-p $PGPORT -c listen_addresses=127.0.0.1 -k $BASE/run/pg"
[ "$FAST_PG" = 1 ] && PGOPTS="$PGOPTS -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$BASE/pgdata" -l "$BASE/log/postgres.log" -w -o "$PGOPTS" start >/dev/null
runuser -u postgres -- psql -q -h "$BASE/run/pg" -p "$PGPORT" -v ON_ERROR_STOP=1 \
  -c "CREATE USER netbox PASSWORD '$DB_PASS';" -c "CREATE DATABASE netbox OWNER netbox;"
T_PG=$(since "$T"); log "postgresql up on 127.0.0.1:$PGPORT (${T_PG}s)"

# ---------------------------------------------------------------- 4. Redis (private instance)
T=$(ts)
install -d -o redis -g redis -m 750 "$BASE/redis"
install -d -o redis -g redis -m 755 "$BASE/run/redis"
touch "$BASE/log/redis.log"; chown redis:redis "$BASE/log/redis.log"
runuser -u redis -- redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --daemonize yes \
  --pidfile "$BASE/run/redis/redis.pid" --logfile "$BASE/log/redis.log" --dir "$BASE/redis" --save '' --appendonly no
for i in $(seq 50); do redis-cli -p "$REDIS_PORT" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
T_REDIS=$(since "$T"); log "redis up on 127.0.0.1:$REDIS_PORT (${T_REDIS}s)"

# ---------------------------------------------------------------- 5. NetBox configuration
SECRET_KEY=$($PY -c 'import secrets,string; a=string.ascii_letters+string.digits+"!@#%^&*(-_=+)"; print("".join(secrets.choice(a) for _ in range(60)))')
cat >"$BASE/netbox/netbox/netbox/configuration.py" <<EOF
ALLOWED_HOSTS = ['127.0.0.1', 'localhost']
DATABASE = {
    'NAME': 'netbox', 'USER': 'netbox', 'PASSWORD': '$DB_PASS',
    'HOST': '127.0.0.1', 'PORT': '$PGPORT', 'CONN_MAX_AGE': 300,
}
REDIS = {
    'tasks':   {'HOST': '127.0.0.1', 'PORT': $REDIS_PORT, 'PASSWORD': '', 'DATABASE': 0, 'SSL': False},
    'caching': {'HOST': '127.0.0.1', 'PORT': $REDIS_PORT, 'PASSWORD': '', 'DATABASE': 1, 'SSL': False},
}
SECRET_KEY = '$SECRET_KEY'
DEBUG = False
RELEASE_CHECK_URL = None
LOGIN_REQUIRED = True
EOF
MANAGE="$BASE/venv/bin/python $BASE/netbox/netbox/manage.py"

# ---------------------------------------------------------------- 6. migrate
T=$(ts)
$MANAGE migrate --no-input >"$BASE/log/migrate.log" 2>&1 || { tail -40 "$BASE/log/migrate.log"; exit 1; }
T_MIGRATE=$(since "$T"); log "migrate done: $(grep -c '  Applying' "$BASE/log/migrate.log") migrations (${T_MIGRATE}s)"
$MANAGE remove_stale_contenttypes --no-input >/dev/null 2>&1 || true

# ---------------------------------------------------------------- 7. superuser + API token
T=$(ts)
$MANAGE shell --no-startup -c "
from django.contrib.auth.models import User
from users.models import Token
u, _ = User.objects.get_or_create(username='$ADMIN_USER')
u.email = '$ADMIN_EMAIL'; u.is_superuser = True; u.is_staff = True; u.is_active = True
u.set_password('$ADMIN_PASS'); u.save()
Token.objects.filter(key='$API_TOKEN').delete()
Token.objects.create(user=u, key='$API_TOKEN', write_enabled=True, description='trial token')
print('superuser', u.username, 'token', Token.objects.get(key='$API_TOKEN').key[:8] + '...')
"
T_USER=$(since "$T"); log "superuser/token created (${T_USER}s)"

# ---------------------------------------------------------------- 8. start gunicorn
T=$(ts)
cd "$BASE/netbox/netbox"
"$BASE/venv/bin/python" -m gunicorn --daemon --pid "$BASE/run/gunicorn.pid" --bind "$NB_BIND" \
  --workers "$NB_WORKERS" --threads 3 --timeout 120 --max-requests 5000 \
  --access-logfile "$BASE/log/gunicorn-access.log" --error-logfile "$BASE/log/gunicorn.log" \
  --chdir "$BASE/netbox/netbox" netbox.wsgi
cd /
for i in $(seq 600); do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Token $API_TOKEN" "http://$NB_BIND/api/status/" || true)
  [ "$code" = 200 ] && break; sleep 0.1
done
[ "$code" = 200 ] || { echo "NetBox did not answer (HTTP $code)"; tail -30 "$BASE/log/gunicorn.log"; exit 1; }
T_START=$(since "$T"); log "NetBox answering on http://$NB_BIND/api/ (${T_START}s)"
curl -s -H "Authorization: Token $API_TOKEN" -H 'Accept: application/json' "http://$NB_BIND/api/status/"; echo

# ---------------------------------------------------------------- 9. summary
(umask 077 && cat >"$BASE/env.sh") <<EOF
export NETBOX_URL=http://$NB_BIND NETBOX_TOKEN=$API_TOKEN NETBOX_API=http://$NB_BIND NETBOX_API_TOKEN=$API_TOKEN
EOF

rss_of() { ps -o rss= -p "$(echo "$@" | tr ' ' ',')" 2>/dev/null | awk '{s+=$1} END{printf "%.0f", s/1024}'; }
GPIDS="$(cat "$BASE/run/gunicorn.pid") $(pgrep -P "$(cat "$BASE/run/gunicorn.pid")" | tr '\n' ' ')"
PGPIDS="$(head -1 "$BASE/pgdata/postmaster.pid") $(pgrep -P "$(head -1 "$BASE/pgdata/postmaster.pid")" | tr '\n' ' ')"
echo "=============================================================="
echo "NetBox $NETBOX_TAG  API http://$NB_BIND/api/   token $API_TOKEN   user $ADMIN_USER/$ADMIN_PASS"
printf 'timings (s): apt=%s sources+venv=%s postgres=%s redis=%s migrate=%s user+token=%s start=%s TOTAL=%s\n' \
  "$T_APT" "$T_SRC" "$T_PG" "$T_REDIS" "$T_MIGRATE" "$T_USER" "$T_START" "$(since "$T_ALL")"
echo "memory RSS (MiB): gunicorn(master+$NB_WORKERS workers)=$(rss_of $GPIDS) postgres=$(rss_of $PGPIDS) redis=$(rss_of "$(cat "$BASE/run/redis/redis.pid")")"
echo "stop with: bash $BASE/stop-netbox.sh"

# shellcheck shell=bash
# Shared by scripts/demo and scripts/test (sourced, not run): finds Python and
# Odoo 18.0, installs the Python requirements into .venv and manages the
# project-local PostgreSQL cluster under var/ (unix socket only, no service).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VAR="$ROOT/var"
VENV="${CUSTOMERISM_VENV:-$ROOT/.venv}"
PGDATA="$VAR/pgdata"
PGSOCK="$VAR/run"
PGPORT="${CUSTOMERISM_PGPORT:-54329}"
HTTP_PORT="${CUSTOMERISM_HTTP_PORT:-8069}"
DB_USER=odoo
ADDONS="crm_customerism,crm_knowledge,crm_supply_link,crm_analytics"
ODOO_ARCHIVE_URL="https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz"
# unix socket paths are limited to ~107 bytes
if [ ${#PGSOCK} -gt 80 ]; then
    PGSOCK="/tmp/customerism-$(printf %s "$ROOT" | md5sum | cut -c1-10)"
fi

die() {
    echo "error: $*" >&2
    exit 1
}
info() { echo "==> $*"; }

# --- Python and Odoo -------------------------------------------------------

setup_python() {
    local base="${PYTHON:-python3}"
    if [ ! -x "$VENV/bin/python" ]; then
        command -v "$base" >/dev/null || die "Python 3 not found: install Python 3.10-3.12 or set PYTHON."
        "$base" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' ||
            die "$("$base" -V 2>&1) is not supported: Odoo 18.0 needs Python 3.10-3.12 (set PYTHON)."
        info "creating the virtual environment .venv (sees the system's site-packages, so an installed Odoo is found)"
        "$base" -m venv --system-site-packages "$VENV" || die "could not create .venv with $base -m venv."
    fi
    PY="$VENV/bin/python"
}

# pip install -r FILE once per content of FILE
pip_requirements() {
    local file="$1" stamp
    stamp="$VENV/.installed-$(md5sum "$file" | cut -c1-12)"
    [ -f "$stamp" ] && return 0
    info "installing Python requirements from $file"
    # old sdists among Odoo's pinned requirements do not build with setuptools>=70
    printf 'setuptools<70\n' >"$VENV/.build-constraints.txt"
    # The resolver makes FILE's requirements and their dependencies agree;
    # its conflict warnings ("ERROR: pip's dependency resolver...") are about
    # the other packages the venv sees in the system's site-packages that
    # depend on one it installed (e.g. a system flask wanting a newer
    # werkzeug): not ours to fix, and no error for this install.
    PIP_CONSTRAINT="$VENV/.build-constraints.txt" "$PY" -m pip install -q --disable-pip-version-check \
        --no-warn-conflicts -r "$file" ||
        die "pip could not install the requirements of $file (see above)."
    touch "$stamp"
}

# Major.minor version in the Odoo release.py at $1, read without importing
# Odoo (which needs its requirements installed first).
odoo_release_version() {
    "$PY" -c 'import runpy, sys; print(runpy.run_path(sys.argv[1])["major_version"])' "$1"
}

download_odoo() {
    local src="$VAR/odoo-18.0"
    local missing="Odoo 18.0 not found: no importable 'odoo' module and ODOO_PATH is not set"
    [ -z "${CUSTOMERISM_NO_DOWNLOAD:-}" ] || die "$missing (download disabled by CUSTOMERISM_NO_DOWNLOAD). Install Odoo 18.0 or set ODOO_PATH to an Odoo 18.0 source tree."
    command -v curl >/dev/null && curl -sfI --max-time 15 "$ODOO_ARCHIVE_URL" >/dev/null 2>&1 ||
        die "$missing, and Odoo's source archive cannot be downloaded from this machine. Install Odoo 18.0 or set ODOO_PATH to an Odoo 18.0 source tree."
    info "downloading Odoo 18.0 from Odoo's official source archive into var/odoo-18.0"
    mkdir -p "$src"
    curl -sfL "$ODOO_ARCHIVE_URL" | tar -xz -C "$src" --strip-components=1 ||
        die "the download of Odoo 18.0 from $ODOO_ARCHIVE_URL failed."
}

# Find Odoo 18.0: ODOO_PATH, a tree downloaded earlier, an importable odoo,
# or (with internet access) Odoo's official source archive. Sets PY,
# ADDONS_PATH and ODOO_TREE (the source tree used, empty for an importable
# odoo).
setup_odoo() {
    setup_python
    local tree="" version
    if [ -n "${ODOO_PATH:-}" ]; then
        [ -f "$ODOO_PATH/odoo/release.py" ] || die "ODOO_PATH=$ODOO_PATH is not an Odoo source tree (no odoo/release.py in it)."
        tree="$ODOO_PATH"
    elif [ -f "$VAR/odoo-18.0/odoo/release.py" ]; then
        tree="$VAR/odoo-18.0"
    else
        local package
        package=$("$PY" -c 'import importlib.util as u; s = u.find_spec("odoo"); print(s.submodule_search_locations[0] if s else "")' 2>/dev/null || true)
        if [ -n "$package" ] && [ -f "$package/release.py" ]; then
            version=$(odoo_release_version "$package/release.py")
        else
            download_odoo
            tree="$VAR/odoo-18.0"
        fi
    fi
    if [ -n "$tree" ]; then
        version=$(odoo_release_version "$tree/odoo/release.py")
    fi
    [ "$version" = "18.0" ] || die "Odoo $version found${tree:+ in $tree}: the Customerism suite needs Odoo 18.0."
    if [ -n "$tree" ]; then
        export PYTHONPATH="$tree${PYTHONPATH:+:$PYTHONPATH}"
        pip_requirements "$tree/requirements.txt"
    fi
    "$PY" -c 'import odoo.release' 2>/dev/null ||
        die "Odoo 18.0 was found but does not import (missing Python requirements?): run '$PY -c \"import odoo.release\"' to see why."
    pip_requirements "$ROOT/requirements.txt"
    ODOO_TREE="$tree"
    ADDONS_PATH=$("$PY" - "$ROOT/addons" <<'PY'
import os, sys
import odoo
base = os.path.dirname(os.path.abspath(odoo.__file__))
paths = [os.path.join(base, "addons")]
tree = os.path.join(os.path.dirname(base), "addons")
if os.path.isdir(os.path.join(tree, "web")):
    paths.append(tree)
paths.append(sys.argv[1])
print(",".join(paths))
PY
)
}

odoo_cmd() {
    "$PY" -c 'import odoo.cli; odoo.cli.main()' "$@"
}

# Write an Odoo configuration file for this cluster; $1 = path, $2 = database.
write_odoo_conf() {
    local conf="$1" db="$2"
    mkdir -p "$VAR/filestore" "$(dirname "$conf")"
    cat >"$conf" <<CONF
[options]
db_host = $PGSOCK
db_port = $PGPORT
db_user = $DB_USER
db_password = False
db_name = $db
dbfilter = ^$db\$
list_db = False
addons_path = $ADDONS_PATH
data_dir = $VAR/filestore
http_interface = 127.0.0.1
http_port = $HTTP_PORT
workers = 0
max_cron_threads = 1
CONF
}

port_free() {
    "$PY" - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

# --- PostgreSQL --------------------------------------------------------------

find_pg() {
    local dir
    if [ -n "${PG_BIN:-}" ]; then
        [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ] && [ -x "$PG_BIN/postgres" ] ||
            die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in PG_BIN=$PG_BIN: install PostgreSQL 13 or newer or fix PG_BIN."
    fi
    for dir in "${PG_BIN:-}" "$(pg_config --bindir 2>/dev/null || true)" \
        $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r) "$(dirname "$(command -v initdb 2>/dev/null || echo /)")"; do
        if [ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
            PG_BIN="$dir"
            break
        fi
    done
    [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] ||
        die "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found: install PostgreSQL 13 or newer (Debian: apt-get install postgresql) or set PG_BIN."
    local major
    major=$("$PG_BIN/postgres" --version | sed -E 's/[^0-9]*([0-9]+).*/\1/')
    [ "$major" -ge 13 ] || die "PostgreSQL $major found in $PG_BIN: the suite needs PostgreSQL 13 or newer."
    # PostgreSQL refuses to run as root: as root, the cluster belongs to a system user
    PG_OS_USER=""
    if [ "$(id -u)" = 0 ]; then
        PG_OS_USER=postgres
        id -u "$PG_OS_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
}

as_pg() {
    if [ -n "$PG_OS_USER" ]; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

pg_running() {
    local pid
    [ -f "$PGDATA/postmaster.pid" ] || return 1
    pid=$(head -n 1 "$PGDATA/postmaster.pid")
    # a live postgres process (a zombie or a reused pid means a crashed run)
    [ -n "$pid" ] && [ -r "/proc/$pid/stat" ] && [ "$(cat "/proc/$pid/comm")" = postgres ] &&
        [ "$(cut -d ' ' -f 3 "/proc/$pid/stat")" != Z ]
}

pg_start() {
    find_pg
    mkdir -p "$VAR" "$PGSOCK"
    [ -z "$PG_OS_USER" ] || chown "$PG_OS_USER" "$PGSOCK"
    if [ ! -f "$PGDATA/PG_VERSION" ]; then
        info "creating the PostgreSQL cluster in $PGDATA"
        mkdir -p "$PGDATA"
        [ -z "$PG_OS_USER" ] || chown "$PG_OS_USER" "$PGDATA"
        as_pg "$PG_BIN/initdb" -D "$PGDATA" -U "$DB_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >"$VAR/initdb.log" 2>&1 ||
            die "initdb failed, see $VAR/initdb.log."
    fi
    if pg_running; then
        return 0
    fi
    if [ -f "$PGDATA/postmaster.pid" ]; then
        echo "note: the PostgreSQL cluster in var/ was left locked by a crashed run; removing its stale lock and starting it (data kept, PostgreSQL replays its log)."
        rm -f "$PGDATA/postmaster.pid" "$PGSOCK/.s.PGSQL.$PGPORT" "$PGSOCK/.s.PGSQL.$PGPORT.lock"
    fi
    touch "$VAR/postgresql.log"
    [ -z "$PG_OS_USER" ] || chown "$PG_OS_USER" "$VAR/postgresql.log"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$VAR/postgresql.log" -w -t 60 \
        -o "-k $PGSOCK -p $PGPORT -c listen_addresses='' -c max_connections=100 -c shared_buffers=$(pg_shared_buffers)" \
        start >/dev/null || die "PostgreSQL did not start, see $VAR/postgresql.log."
}

# PostgreSQL's cache: CUSTOMERISM_PG_SHARED_BUFFERS, by default a quarter of
# the memory (PostgreSQL's advice for a database server) up to 1 GB, at least
# PostgreSQL's own default of 128 MB
pg_shared_buffers() {
    if [ -n "${CUSTOMERISM_PG_SHARED_BUFFERS:-}" ]; then
        echo "$CUSTOMERISM_PG_SHARED_BUFFERS"
        return
    fi
    local mb
    mb=$(awk '/^MemTotal:/ {print int($2 / 4096)}' /proc/meminfo 2>/dev/null || true)
    mb=${mb:-0}
    [ "$mb" -le 1024 ] || mb=1024
    [ "$mb" -ge 128 ] || mb=128
    echo "${mb}MB"
}

pg_stop() {
    find_pg
    if pg_running; then
        as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -w -m fast stop >/dev/null
        info "PostgreSQL stopped"
    else
        info "PostgreSQL is not running"
    fi
}

psql_cmd() {
    "$PG_BIN/psql" -X -q -h "$PGSOCK" -p "$PGPORT" -U "$DB_USER" "$@"
}

db_exists() {
    [ "$(psql_cmd -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'")" = 1 ]
}

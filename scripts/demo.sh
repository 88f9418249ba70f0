#!/usr/bin/env bash
# The main job, on a fresh Debian 12 machine, as root: install what is
# needed, build and install plugin_manager and its bundled plugins, start a
# throwaway cluster with the library preloaded, and query live plugins with
# SQL.  The cluster is stopped and removed at the end (PM_KEEP=1 keeps it).
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib.sh"

[ "$(id -u)" = 0 ] || { echo "run as root (it installs packages and runs the server as postgres)" >&2; exit 2; }
pm_install_deps
pm_build_install "$SRC"

W=$(mktemp -d /tmp/pm_demo.XXXXXX)
chmod 755 "$W"
PORT=${PM_PORT:-5488}
finish() {
    if [ -n "${PM_KEEP:-}" ]; then
        echo "cluster kept: psql -h $W/sock -p $PORT -U postgres   (stop: runuser -u postgres -- $PG_BIN/pg_ctl -D $W/data stop)"
    else
        pm_stop_cluster "$W"
        rm -rf "$W"
    fi
}
trap finish EXIT

# the default plugin_dir ($libdir/plugin_manager) holds host, net and series
pm_start_cluster "$W" "$PORT" '$libdir/plugin_manager'
psql_() { (cd / && runuser -u postgres -- env PATH=/usr/bin:/bin psql -h "$W/sock" -p "$PORT" -X -v ON_ERROR_STOP=1 "$@"); }

psql_ -e <<'SQL'
CREATE EXTENSION plugin_manager;
SELECT * FROM plugin_manager.available_plugins();

-- a server names a plugin; IMPORT FOREIGN SCHEMA makes its tables foreign tables
CREATE SERVER host FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'host');
CREATE SCHEMA host;
IMPORT FOREIGN SCHEMA host FROM SERVER host INTO host;
\dE host.*

-- live data from this machine
SELECT hostname, kernel_release, os_name FROM host.os_info;
SELECT pid, name, username, pg_size_pretty(rss_bytes) AS rss
  FROM host.process ORDER BY rss_bytes DESC NULLS LAST LIMIT 5;
SELECT protocol, local_address, local_port FROM host.listening_socket ORDER BY local_port LIMIT 5;

-- joins with local data push the join value to the plugin
SELECT a.pid, a.backend_type, p.rss_bytes
  FROM pg_stat_activity a JOIN host.process p ON p.pid = a.pid
 WHERE a.backend_type = 'plugin manager';

-- the series plugin: a million generated rows, streamed
CREATE SERVER series FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', rows '1000000');
CREATE SCHEMA series;
IMPORT FOREIGN SCHEMA series FROM SERVER series INTO series;
\timing on
SELECT count(*), sum(id), avg(value), max(ts) FROM series.rows;
EXPLAIN (COSTS OFF) SELECT * FROM series.rows WHERE id = 4242;
SELECT * FROM series.rows WHERE id = 4242;
\timing off

-- the plugin manager and its plugins
SELECT name, state, pid, generation, restarts, scans, rows FROM plugin_manager.plugins;
SELECT pid, state, shutting_down FROM plugin_manager.manager_status();
SQL
echo "plugin_manager answered: the demo ran on a throwaway cluster in $W"

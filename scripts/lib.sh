# Shared by scripts/demo.sh and test/run_tests.sh: dependencies, build, and a
# throwaway cluster with plugin_manager preloaded.  Run as root on Debian 12.

PG_BIN=/usr/lib/postgresql/15/bin
PG_CONFIG=$PG_BIN/pg_config
PM_PACKAGES="postgresql-15 postgresql-server-dev-15 postgresql-plpython3-15 \
libcurl4-openssl-dev libjansson-dev libmicrohttpd-dev libipc-run-perl \
pkg-config make gcc python3 curl valgrind rsync clang-14 libclang-rt-14-dev"

pm_log() { printf '==> %s\n' "$*" >&2; }

pm_install_deps() {
    local missing=""
    for p in $PM_PACKAGES; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
    done
    if [ -n "$missing" ]; then
        pm_log "installing packages:$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        # postgresql-15 is named with its -dev package: only the newest 15.x
        # headers exist, and the server must match them.
        apt-get install -y -qq --no-install-recommends $PM_PACKAGES >/dev/null
    fi
}

pm_build_install() {
    local src=$1
    pm_log "building and installing plugin_manager"
    make -C "$src" -s with_llvm=no COPT=-Werror PG_CONFIG=$PG_CONFIG
    make -C "$src" -s with_llvm=no PG_CONFIG=$PG_CONFIG install
}

# pm_make_plugin_dir DIR SRC: a plugin_dir with the bundled plugins and the
# test plugins, readable by postgres and writable only by its owner.
pm_make_plugin_dir() {
    local dir=$1 src=$2 libdir
    libdir=$($PG_CONFIG --pkglibdir)/plugin_manager
    mkdir -p "$dir"
    if [ -d "$libdir" ]; then
        find "$libdir" -maxdepth 1 -type f -perm -u+x -exec cp {} "$dir/" \;
    fi
    for f in "$src"/test/plugins/*; do
        [ -f "$f" ] && [ -x "$f" ] && cp -L "$f" "$dir/"
    done
    for f in "$src"/test/plugins/*/; do
        for b in "$f"*; do
            [ -f "$b" ] && [ -x "$b" ] && case "$b" in *.o|*.c|*.h) ;; *) cp -L "$b" "$dir/";; esac
        done
    done
    chown -R postgres:postgres "$dir"
    chmod 755 "$dir"
    chmod 755 "$dir"/* 2>/dev/null || true
}

# pm_start_cluster WORKDIR PORT PLUGIN_DIR [extra conf lines...]
pm_start_cluster() {
    local w=$1 port=$2 plugins=$3
    shift 3
    mkdir -p "$w/sock"
    chown postgres:postgres "$w" "$w/sock"
    (cd / && runuser -u postgres -- env PATH=/usr/bin:/bin \
        $PG_BIN/initdb -A trust -U postgres --no-sync -D "$w/data" >/dev/null)
    cat >> "$w/data/postgresql.conf" <<CONF
shared_preload_libraries = 'plugin_manager'
plugin_manager.plugin_dir = '$plugins'
unix_socket_directories = '$w/sock'
listen_addresses = ''
port = $port
fsync = off
log_line_prefix = '%m [%p] '
CONF
    for line in "$@"; do echo "$line" >> "$w/data/postgresql.conf"; done
    (cd / && runuser -u postgres -- env PATH=/usr/bin:/bin \
        $PG_BIN/pg_ctl -D "$w/data" -l "$w/server.log" -w start >/dev/null)
}

pm_stop_cluster() {
    local w=$1
    (cd / && runuser -u postgres -- $PG_BIN/pg_ctl -D "$w/data" -m fast -w stop >/dev/null 2>&1) || true
}

#!/usr/bin/env bash
# Runs every test suite of plugin_manager on this machine, as root:
# installs what is missing, builds, installs, then runs
#   1. the plugin SDK and bundled plugin tests (make -C plugins check), the
#      row decoder's tests (make -C test/codec check) and 30 s of fuzzing
#   2. the regression suite (sql/, expected/) on a throwaway cluster
#   3. the isolation specs (test/isolation) on the same cluster
#   4. the TAP tests (test/t), each on clusters of its own
# and ends with the line "N passed, M failed".
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
. "$SRC/scripts/lib.sh"

if [ "$(id -u)" != 0 ]; then
    echo "run as root (it installs packages and runs the server as postgres)" >&2
    exit 2
fi

PASS=0
FAIL=0
tally() {  # tally SUITE PASSED FAILED
    pm_log "$1: $2 passed, $3 failed"
    PASS=$((PASS + $2))
    FAIL=$((FAIL + $3))
}
# tally_tap SUITE LOG RC: count a TAP log's ok / not ok lines; a suite that
# failed without a "not ok" line (it died) counts as one failure
tally_tap() {
    local p=0 f=1
    if [ -f "$2" ]; then
        p=$(grep -cE '^ok ' "$2")
        f=$(grep -cE '^not ok ' "$2")
    fi
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    [ "$f" -gt 0 ] && cat "$2"
    tally "$1" "$p" "$f"
}

pm_install_deps
if ! pm_build_install "$SRC"; then
    echo "build failed"
    echo "0 passed, 1 failed"
    exit 1
fi

WORK=$(mktemp -d /tmp/pm_tests.XXXXXX)
chmod 755 "$WORK"
cleanup() {
    pm_stop_cluster "$WORK/cluster"
    [ -n "${PM_KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

# The server and plugins run as postgres, which may not read $SRC (CI clones
# under /root): give them a postgres-owned copy of the tree.
rsync -a --exclude .git "$SRC/" "$WORK/src/"
chown -R postgres:postgres "$WORK/src"
pm_make_plugin_dir "$WORK/plugins" "$SRC"
# a plugin file that is not executable, for the error tests
printf '#!/bin/sh\nexit 0\n' > "$WORK/plugins/pm_test_noexec"
chown postgres:postgres "$WORK/plugins/pm_test_noexec"
chmod 644 "$WORK/plugins/pm_test_noexec"

as_pg() { (cd / && runuser -u postgres -- env PATH=$PG_BIN:/usr/bin:/bin "$@"); }

# 1. plugins
if [ "${WITH_PLUGINS:-yes}" = yes ] && [ -f "$SRC/plugins/Makefile" ]; then
    make -C "$SRC/plugins" -s check > "$WORK/plugins_check.log" 2>&1
    tally_tap plugins "$WORK/plugins_check.log" $?
fi

# the row decoder: unit tests and a differential test against jansson
make -C "$SRC/test/codec" -s check > "$WORK/codec.log" 2>&1
tally_tap codec "$WORK/codec.log" $?

# ...and 30 seconds of libFuzzer on it (ASan + UBSan; any crash, overread or
# disagreement with jansson fails); make -C test/codec fuzz runs it longer
if make -C "$SRC/test/codec" -s fuzz FUZZ_SECONDS=30 FUZZ_ARGS=-close_fd_mask=1 \
        > "$WORK/fuzz.log" 2>&1; then
    pm_log "fuzz: $(grep -E 'stat::number_of_executed_units' "$WORK/fuzz.log" | awk '{print $2}') inputs"
    tally fuzz 1 0
else
    tail -n 40 "$WORK/fuzz.log"
    tally fuzz 0 1
fi

# 2 and 3. regression and isolation, one cluster
pm_start_cluster "$WORK/cluster" 5499 "$WORK/plugins" \
    "plugin_manager.startup_timeout = '3s'" \
    "plugin_manager.stop_timeout = '2s'"
export PGHOST=$WORK/cluster/sock PGPORT=5499 PGUSER=postgres
for suite in regress isolation; do
    out=$WORK/$suite.log
    if [ $suite = regress ]; then
        skip="ISOLATION="
        diffs=$WORK/src/regression.diffs
    else
        skip="REGRESS="
        diffs=$WORK/src/output_iso/regression.diffs
    fi
    as_pg env PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER \
        make -C "$WORK/src" -s installcheck $skip with_llvm=no WITH_PLUGINS=no \
        PG_CONFIG=$PG_CONFIG > "$out" 2>&1
    rc=$?
    p=$(grep -cE '\.\.\. ok' "$out")
    f=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$out")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
    if [ "$f" -gt 0 ]; then
        cat "$out"
        [ -f "$diffs" ] && cat "$diffs"
    fi
    tally "$suite" "$p" "$f"
done
pm_stop_cluster "$WORK/cluster"

# 4. TAP
out=$WORK/tap.log
as_pg env PERL5LIB=$($PG_CONFIG --pkglibdir)/pgxs/src/test/perl \
    PG_REGRESS=$($PG_CONFIG --pkglibdir)/pgxs/src/test/regress/pg_regress \
    TESTDIR=$WORK/src/test PG_TEST_TIMEOUT_DEFAULT=60 TMPDIR=$WORK/src/test \
    PM_TEST_PLUGIN_DIR=$WORK/plugins PM_SRC=$WORK/src \
    sh -c "cd $WORK/src && prove -v -I test/perl test/t/*.pl" > "$out" 2>&1
rc=$?
if [ $rc -ne 0 ] || grep -qE '^not ok ' "$out"; then
    for l in "$WORK"/src/test/tmp_check/log/*.log; do
        [ -f "$l" ] && { echo "--- $l"; tail -n 60 "$l"; }
    done
fi
tally_tap tap "$out" $rc

echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]

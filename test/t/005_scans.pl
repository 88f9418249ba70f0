# Scans under cancellation, termination and a plugin killed mid-stream.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use Time::HiRes qw(time usleep);
use PmTest;

my $node = pm_node('scans');
$node->safe_psql('postgres', q{
CREATE SERVER stall FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (plugin 'fault', stall_ms '60000', idle_timeout '0', request_timeout '0');
CREATE FOREIGN TABLE stall (id bigint, payload text) SERVER stall OPTIONS (table 'stall');
CREATE SERVER big FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', rows '200000000');
CREATE FOREIGN TABLE big (id bigint, name text) SERVER big
    OPTIONS (table 'rows', key_columns '[{"name": "id", "operators": ["=", "in", "<"]}]');
});

# run SQL in a psql of its own; returns the harness and its output refs
sub start_psql
{
	my (@sql) = @_;
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), map { ('-c', $_) } @sql ],
		'<', \undef, '>', \$out, '2>', \$err);
	return ($h, \$out, \$err);
}

# the pid of the backend running a query that matches, once it runs
sub wait_active
{
	my ($like) = @_;
	my $pid;
	$node->poll_query_until('postgres',
		"SELECT count(*) = 1 FROM pg_stat_activity WHERE state = 'active' AND query LIKE '$like'")
	  or die "query $like never ran";
	return $node->safe_psql('postgres',
		"SELECT pid FROM pg_stat_activity WHERE state = 'active' AND query LIKE '$like'");
}

# wait for a harness to finish; seconds it took
sub finish_time
{
	my ($h) = @_;
	my $t0 = time;
	while ($h->pumpable)
	{
		$h->pump_nb;
		usleep(1000);
		last if time - $t0 > 30;
	}
	$h->finish;
	return time - $t0;
}

# pg_cancel_backend on a scan whose plugin sends nothing
my ($h, $out, $err) = start_psql('SELECT * FROM stall', "SELECT 'clean' AS after");
my $pid = wait_active('SELECT * FROM stall');
usleep(200_000);    # well inside the stall
my $t0 = time;
$node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)");
my $cancel_latency = time - $t0 + finish_time($h);
like($$err, qr/ERROR:\s+canceling statement due to user request/, 'pg_cancel_backend stops a stalled scan');
like($$out, qr/^clean$/m, 'the connection is clean for the next query');
diag(sprintf('cancel latency (pg_cancel_backend to psql exit): %.1f ms', $cancel_latency * 1000));
cmp_ok($cancel_latency, '<', 2, 'the cancel acts at once, not when the plugin speaks');

# statement_timeout, the same way
($h, $out, $err) = start_psql("SET statement_timeout = '250ms'", 'SELECT * FROM stall', "SELECT 'clean' AS after");
my $st = finish_time($h);
like($$err, qr/canceling statement due to statement timeout/, 'statement_timeout stops a stalled scan');
like($$out, qr/^clean$/m, 'and the connection is clean afterwards');
diag(sprintf('statement_timeout 250 ms: psql done after %.1f ms', $st * 1000));

# pg_terminate_backend: the backend goes, the server and the plugin stay
($h, $out, $err) = start_psql('SELECT * FROM stall');
$pid = wait_active('SELECT * FROM stall');
$t0 = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($pid)");
my $term = time - $t0 + finish_time($h);
like($$err, qr/terminating connection due to administrator command/, 'pg_terminate_backend ends a stalled scan');
diag(sprintf('terminate latency: %.1f ms', $term * 1000));
cmp_ok($term, '<', 2, 'the backend exits at once');
is($node->safe_psql('postgres', 'SELECT count(*) FROM big WHERE id = 7'), '1',
	'other sessions still query plugins');
unlike(slurp_file($node->logfile), qr/server process .* was terminated by signal|terminating any other active server processes/,
	'no backend crashed');

# kill -9 the plugin in the middle of a long scan: an error, never a count
($h, $out, $err) = start_psql('SELECT count(*) FROM big');
wait_active('SELECT count(*) FROM big');
usleep(300_000);
my $plugin = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.plugins WHERE name = 'series'");
kill 'KILL', $plugin;
finish_time($h);
like($$err, qr/ERROR:\s+plugin "series" exited during the scan/, 'a plugin killed mid-scan is an error');
like($$err, qr/DETAIL:\s+The plugin process \(PID $plugin\) ended after sending \d+ rows; the result would be incomplete\./,
	'the error says how far it got');
is($$out, '', 'no partial count was returned');
# the next query gets a new process (the cached handle is not reused)
is($node->safe_psql('postgres', 'SELECT name FROM big WHERE id = 3'), 'row-3',
	'the next scan starts the plugin again');
isnt($node->safe_psql('postgres', "SELECT pid FROM plugin_manager.plugins WHERE name = 'series'"),
	$plugin, 'with a new process');
is($node->safe_psql('postgres', "SELECT errors >= 1 FROM plugin_manager.plugins WHERE name = 'series'"),
	't', 'the failed scan is counted as an error');

# a LIMIT ends the scan early: the plugin notices the client is gone and
# keeps serving others
is($node->safe_psql('postgres', 'SELECT count(*) FROM (SELECT id FROM big LIMIT 5) x'), '5',
	'LIMIT on a 200M-row table answers');
is($node->safe_psql('postgres', "SELECT id FROM big WHERE name = 'row-20' AND id < 100"), '20',
	'a scan that stops early leaves the plugin usable');

# nothing leaks on any path: a session runs hundreds of scans that fail in
# every way, or stop early, and its resident memory stays put (each leaked
# libcurl handle and its buffers adds about 10 kB: 1400 scans, 13 MB, which
# this check was seen to catch; a clean run grows by about 0.2 MB)
$node->safe_psql('postgres', q{
CREATE SERVER fault FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'fault', rows '3');
CREATE SCHEMA f;
IMPORT FOREIGN SCHEMA fault LIMIT TO (garbage, truncated, error_midstream, wrong_type, http_500)
    FROM SERVER fault INTO f;
CREATE FUNCTION churn(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    failures int := 0;
    t text;
BEGIN
    FOR i IN 1..n LOOP
        FOREACH t IN ARRAY ARRAY['garbage', 'truncated', 'error_midstream', 'wrong_type', 'http_500'] LOOP
            BEGIN
                EXECUTE format('SELECT max(id), max(payload) FROM f.%I', t);
            EXCEPTION WHEN OTHERS THEN
                failures := failures + 1;
            END;
        END LOOP;
        PERFORM count(*) FROM (SELECT id FROM big LIMIT 10) x;
        PERFORM count(*) FROM big WHERE id IN (1, 2, 3);
    END LOOP;
    RETURN failures;
END $$;
CREATE FUNCTION rss_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'),
                         'VmRSS:\s+(\d+)'))[1]::bigint
$$;
});
my $churn = $node->background_psql('postgres');
$churn->query_safe('SELECT churn(20)');    # warm up caches and pools
my $before = $churn->query_safe('SELECT rss_kb()');
my $failures = $churn->query_safe('SELECT churn(200)');
my $after = $churn->query_safe('SELECT rss_kb()');
$churn->quit;
is($failures, 1000, 'a thousand failed scans (five kinds of fault) in one session');
my $growth = $after - $before;
diag("backend RSS around 1000 failed and 400 early-ended scans: $before kB -> $after kB");
cmp_ok($growth, '<', 4096, 'the backend does not grow with failed and cut-short scans');

# a remote plugin: the same series, run by hand on TCP loopback
my $port = PostgreSQL::Test::Cluster::get_free_port();
my ($sin, $sout, $serr) = ('', '', '');
my $series = IPC::Run::start(
	[ 'env', '-i', 'PATH=/usr/bin:/bin', 'PLUGIN_MANAGER_PROTOCOL=1',
	  "$ENV{PM_TEST_PLUGIN_DIR}/series", '--listen', "127.0.0.1:$port", '--ignore-stdin' ],
	'<', \$sin, '>', \$sout, '2>', \$serr);
$series->pump until $sout =~ /\n/ || !$series->pumpable;
like($sout, qr/"protocol":\s*1/, 'the remote series plugin is up');
$node->safe_psql('postgres', qq{
CREATE SERVER remote FOREIGN DATA WRAPPER plugin_manager OPTIONS (url 'http://127.0.0.1:$port', rows '1000');
CREATE SCHEMA remote;
IMPORT FOREIGN SCHEMA series FROM SERVER remote INTO remote;
});
is($node->safe_psql('postgres', 'SELECT count(*), sum(id) FROM remote.rows'), '1000|500500',
	'a remote plugin answers through the url server option');
like($node->safe_psql('postgres', 'EXPLAIN SELECT * FROM remote.rows WHERE id = 5'),
	qr/Plugin: \(remote\).*Pushed Quals: id = 5/s, 'EXPLAIN shows the remote plugin and the pushed qual');
is($node->safe_psql('postgres', 'SELECT name FROM remote.rows WHERE id = 5'), 'row-5', 'pushdown works remotely');
$series->kill_kill;
my ($ret, $o, $e) = $node->psql('postgres', 'SELECT count(*) FROM remote.rows');
like($e, qr/could not connect to the plugin/, 'a remote plugin that is gone: could not connect');

$node->stop('fast');
done_testing();

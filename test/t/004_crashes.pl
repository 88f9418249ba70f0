# Crashes: a plugin killed with SIGKILL, the manager killed with SIGKILL
# (the cluster restarts), a plugin that ignores SIGTERM, and plugins that
# cannot start.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use PmTest;

my $node = pm_node('crashes',
	"plugin_manager.startup_timeout = '2s'",
	"plugin_manager.stop_timeout = '1s'",
	"restart_after_crash = on");

# kill -9 a plugin: the slot says failed with the signal; the next request
# starts it again and the restart is counted
my $pid = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('pm_test')");
kill 'KILL', $pid;
$node->poll_query_until('postgres',
	"SELECT state = 'failed' FROM plugin_manager.plugins WHERE name = 'pm_test'")
  or die 'crash not noticed';
like($node->safe_psql('postgres',
		"SELECT pid IS NULL, last_exit, last_error FROM plugin_manager.plugins WHERE name = 'pm_test'"),
	qr/^t\|signal 9 \(Killed\)\|plugin exited unexpectedly with signal 9 \(Killed\); last stderr line: listening on /,
	'a plugin killed with SIGKILL is marked failed, with the signal and its last stderr line');
like(slurp_file($node->logfile), qr/LOG:\s+plugin "pm_test" failed \(pid $pid, signal 9 \(Killed\)\)/,
	'the crash is logged');
my $new = $node->safe_psql('postgres',
	"SELECT pid FROM plugin_manager.start_plugin('pm_test')");
ok($new > 0 && $new != $pid, 'the next request starts a new process');
is($node->safe_psql('postgres',
		"SELECT state, restarts, last_error IS NULL FROM plugin_manager.plugins WHERE name = 'pm_test'"),
	'running|1|t', 'the restart is counted and the error cleared');

# crash it repeatedly: every request still gets a process (bounded backoff:
# 100 ms after the first failure, doubling, at most 5 s)
my $t0 = time;
for my $i (1 .. 4)
{
	my $p = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('pm_test')");
	kill 'KILL', $p;
	$node->poll_query_until('postgres',
		"SELECT state = 'failed' FROM plugin_manager.plugins WHERE name = 'pm_test'") or die;
}
$new = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('pm_test')");
my $elapsed = time - $t0;
ok($new > 0, 'a plugin that keeps crashing is still restarted on request');
# the first pass reuses the running process; then four restarts wait
# 200 + 400 + 800 + 1600 ms
cmp_ok($elapsed, '>=', 3.0, 'restarts after repeated crashes back off');
cmp_ok($elapsed, '<', 20, 'the backoff is bounded');
is($node->safe_psql('postgres', "SELECT restarts FROM plugin_manager.plugins WHERE name = 'pm_test'"),
	'5', 'every restart is counted');

# a plugin that ignores SIGTERM for longer than stop_timeout gets SIGKILL
my $slow = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('pm_test_slowstop')");
$t0 = time;
is($node->safe_psql('postgres', "SELECT plugin_manager.stop_plugin('pm_test_slowstop')"), 't',
	'stop_plugin of a slow plugin returns true');
my $took = time - $t0;
cmp_ok($took, '<', 2.5, 'stop_timeout (1 s) bounds the stop of a plugin that takes 3 s');
ok(!pm_alive($slow), 'the slow plugin is gone');
like(slurp_file($node->logfile),
	qr/plugin "pm_test_slowstop" \(pid $slow\) did not exit within 1000 ms of SIGTERM; sending SIGKILL/,
	'the SIGKILL is logged');
is($node->safe_psql('postgres',
		"SELECT state, last_exit FROM plugin_manager.plugins WHERE name = 'pm_test_slowstop'"),
	'stopped|signal 9 (Killed)', 'a stop that needed SIGKILL still ends in state stopped');

# plugins that cannot start say why
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT * FROM plugin_manager.start_plugin('pm_test_exitfail')");
like($err, qr/plugin "pm_test_exitfail" could not be started.*exited with exit code 3 before completing its handshake; last stderr line: fatal: cannot read configuration/s,
	'a plugin that exits at once: exit code and last stderr line');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT * FROM plugin_manager.start_plugin('pm_test_nohandshake')");
like($err, qr/did not complete its handshake within 2000 ms/, 'a plugin that never answers: the timeout');
($ret, $out, $err) = $node->psql('postgres',
	"SELECT * FROM plugin_manager.start_plugin('pm_test_noexec')");
like($err, qr/plugin "pm_test_noexec" is not executable/, 'a file that is not executable');

# kill -9 the manager: the postmaster restarts the cluster, no plugin
# process survives, and the registry starts clean
my @pids = map {
	$node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('$_')")
} qw(pm_test pm_test2);
my $mgr = pm_manager_pid($node);
kill 'KILL', $mgr;
ok(pm_wait_gone(10, @pids), 'no plugin process survives the SIGKILL of the manager');
$node->poll_query_until('postgres', 'SELECT true') or die 'cluster did not come back';
my $mgr2 = pm_wait_manager($node, $mgr);
isnt($mgr2, $mgr, 'a new manager runs after the crash-restart');
like(slurp_file($node->logfile), qr/background worker "plugin manager" \(PID $mgr\) was terminated by signal 9/,
	'the postmaster saw the manager die');
is($node->safe_psql('postgres',
		'SELECT state, shutting_down FROM plugin_manager.manager_status()'),
	'running|f', 'after the crash-restart the manager runs and is not shutting down');
is($node->safe_psql('postgres', 'SELECT count(*) FROM plugin_manager.plugins'), '0',
	'the registry starts empty after the crash-restart');
my $again = $node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('pm_test')");
ok($again > 0 && !grep({ $_ == $again } @pids), 'plugins start again after the crash-restart');

$node->stop('fast');
done_testing();

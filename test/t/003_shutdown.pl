# A real shutdown of the plugin manager, and server stops.
#
# Terminating the manager while a plugin takes seconds to stop opens a window
# in which requests must fail with "plugin manager is shutting down"; the log
# holds the begin line before those errors and the end line after them; the
# postmaster starts a new manager and requests succeed again.  Then pg_ctl
# stop, fast and smart, must leave no plugin process behind.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep time);
use PmTest;

my $node = pm_node('shutdown',
	"plugin_manager.stop_timeout = '10s'");

my $slow_pid = $node->safe_psql('postgres',
	"SELECT pid FROM plugin_manager.start_plugin('pm_test_slowstop')");
my $fast_pid = $node->safe_psql('postgres',
	"SELECT pid FROM plugin_manager.start_plugin('pm_test')");
my $mgr = pm_manager_pid($node);

# terminate the manager; pm_test_slowstop needs 3 s to exit
my $t_term = time;
$node->safe_psql('postgres', "SELECT pg_terminate_backend($mgr)");
$node->poll_query_until('postgres',
	'SELECT shutting_down FROM plugin_manager.manager_status()')
  or die 'shutdown flag never set';

my $status = $node->safe_psql('postgres',
	'SELECT pid, state, shutting_down FROM plugin_manager.manager_status()');
is($status, "$mgr|shutting_down|t", 'manager_status shows the shutdown in progress');

my ($errors, $other) = (0, 0);
my $last_err = '';
for my $i (1 .. 5)
{
	my ($ret, $out, $err) = $node->psql('postgres',
		"SELECT pid FROM plugin_manager.start_plugin('pm_test')",
		extra_params => [ '-v', 'VERBOSITY=verbose' ]);
	if ($err =~ /ERROR:\s+57P03: plugin manager is shutting down/) { $errors++; $last_err = $err; }
	else { $other++; diag("unexpected: ret=$ret out=$out err=$err"); }
}
my $window = time - $t_term;
cmp_ok($window, '<', 3, 'the requests were made while the slow plugin was still stopping');
is($errors, 5, 'every request during the shutdown got the shutting-down error');
is($other, 0, 'no request during the shutdown got anything else');
like($last_err, qr/DETAIL:\s+The plugin manager \(PID $mgr\) is stopping its plugins\./,
	"the error's detail names the manager's pid");
like($last_err, qr/HINT:\s+The plugin manager restarts by itself/, "the error's hint says it restarts by itself");

# a new manager comes up, and requests succeed again
my $new_mgr = pm_wait_manager($node, $mgr);
isnt($new_mgr, $mgr, 'the postmaster started a new manager');
is($node->safe_psql('postgres', 'SELECT shutting_down FROM plugin_manager.manager_status()'),
	'f', 'the new manager cleared the flag');
ok(!pm_alive($slow_pid) && !pm_alive($fast_pid), 'the old plugin processes are gone');
my $new_pid = $node->safe_psql('postgres',
	"SELECT pid FROM plugin_manager.start_plugin('pm_test')");
ok($new_pid > 0 && $new_pid != $fast_pid, 'a request after the restart starts a new process');

# the log tells the story in order
my $log = slurp_file($node->logfile);
my $begin = index($log, 'LOG:  plugin manager shutting down');
my $end = index($log, 'LOG:  plugin manager shut down');
my @errs;
while ($log =~ /ERROR:\s+plugin manager is shutting down/g) { push @errs, $-[0]; }
my $restarted = -1;
while ($log =~ /LOG:\s+plugin manager started/g) { $restarted = $-[0]; }
ok($begin >= 0, 'the begin line is logged');
like(substr($log, $begin, 300), qr/DETAIL:\s+Plugin manager PID $mgr is stopping 2 plugin process\(es\)\./,
	'the begin line says which manager and how many plugins');
is(scalar(@errs), 5, 'the five errors are in the log');
ok(!grep({ $_ < $begin || $_ > $end } @errs), 'every error lies between the begin and the end line');
ok($end > $begin, 'the end line follows the begin line');
ok($restarted > $end, 'the new manager logged its start after the end line');
like($log, qr/plugin "pm_test_slowstop": SIGTERM: taking 3 seconds to stop/,
	'the slow plugin got SIGTERM and said so in the log');

# pg_ctl stop leaves no plugin process behind, in fast and in smart mode
for my $mode ('fast', 'smart')
{
	my @pids = map {
		$node->safe_psql('postgres', "SELECT pid FROM plugin_manager.start_plugin('$_')")
	} qw(pm_test pm_test2 pm_test_slowstop);
	is(scalar(grep { pm_alive($_) } @pids), 3, "three plugins running before the $mode stop");
	my $ends_before = () = slurp_file($node->logfile) =~ /LOG:\s+plugin manager shut down/g;
	$node->stop($mode);
	ok(pm_wait_gone(5, @pids), "no plugin process survives pg_ctl stop -m $mode");
	my $left = grep { -e $_ } map { "/proc/$_" } @pids;
	is($left, 0, "no plugin pid left after the $mode stop");
	my $ends_after = () = slurp_file($node->logfile) =~ /LOG:\s+plugin manager shut down/g;
	is($ends_after, $ends_before + 1, "the manager logged its end during the $mode stop");
	$node->start if $mode eq 'fast';
	pm_wait_manager($node) if $mode eq 'fast';
}

done_testing();

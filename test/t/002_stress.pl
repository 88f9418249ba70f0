# The seed bug.  Steampipe's plugin manager answered "plugin manager is
# shutting down" when nothing was shutting down: it read a failed TryLock as
# proof of shutdown, and concurrent requests made that happen.  Here eight
# sessions request handles in a loop while a ninth restarts, stops and starts
# the same plugins as fast as it can: not one request may see "shutting
# down", and none may fail for any other reason.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IPC::Run;
use PmTest;

my $sessions = 8;
my $max_per_session = 200000;
my $chaos_cycles = 40;

my $node = pm_node('stress',
	"plugin_manager.startup_timeout = '10s'",
	"plugin_manager.stop_timeout = '2s'",
	"max_connections = 80");

$node->safe_psql('postgres', q{
CREATE TABLE stress_control (done boolean);
INSERT INTO stress_control VALUES (false);
-- requests handles until told to stop (or n requests)
CREATE FUNCTION hammer(n int, plugins text[],
                       OUT ok int, OUT shutting_down int, OUT other int)
LANGUAGE plpgsql AS $$
DECLARE
    p text;
BEGIN
    ok := 0; shutting_down := 0; other := 0;
    FOR i IN 1..n LOOP
        EXIT WHEN i % 50 = 0 AND (SELECT done FROM stress_control);
        p := plugins[1 + i % array_length(plugins, 1)];
        BEGIN
            PERFORM plugin_manager.start_plugin(p);
            ok := ok + 1;
        EXCEPTION WHEN OTHERS THEN
            IF SQLERRM LIKE '%shutting down%' THEN
                shutting_down := shutting_down + 1;
            ELSE
                other := other + 1;
            END IF;
            RAISE WARNING 'request for % failed: % (%)', p, SQLERRM, SQLSTATE;
        END;
    END LOOP;
END $$;
});

# Fifty sessions ask at once for a stopped plugin: one process starts, and
# every session gets it.  They queue on an advisory lock that this session
# holds, so that releasing it sends all fifty requests together.
{
	my $lock = $node->background_psql('postgres');
	$lock->query_safe('SELECT pg_advisory_lock(77)');
	$node->safe_psql('postgres', "SELECT plugin_manager.stop_plugin('pm_test_slowstop')");
	my $gen0 = $node->safe_psql('postgres',
		"SELECT coalesce(max(generation), 0) FROM plugin_manager.plugins WHERE name = 'pm_test_slowstop'");
	my @fifty;
	for my $i (1 .. 50)
	{
		my ($out, $err) = ('', '');
		my $h = IPC::Run::start(
			[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
			  "SELECT h.pid || ':' || h.generation FROM pg_advisory_lock_shared(77) l, "
			  . "LATERAL plugin_manager.start_plugin('pm_test_slowstop' || coalesce(left(l::text, 0), '')) h" ],
			'<', \undef, '>', \$out, '2>', \$err);
		push @fifty, { h => $h, out => \$out, err => \$err };
	}
	$node->poll_query_until('postgres',
		"SELECT count(*) = 50 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
	  or die 'the fifty sessions did not line up';
	$lock->query_safe('SELECT pg_advisory_unlock(77)');
	$_->{h}->finish for @fifty;
	$lock->quit;
	my %handles;
	my $errors = 0;
	for my $r (@fifty)
	{
		my $o = ${ $r->{out} } =~ s/\s+$//r;
		$handles{$o}++ if $o =~ /^\d+:\d+$/;
		$errors++ if ${ $r->{err} } ne '';
	}
	is($errors, 0, 'fifty concurrent requests for a stopped plugin: no error');
	is(scalar(keys %handles), 1, 'all fifty got the same process and generation');
	my ($pid_gen) = keys %handles;
	is((split /:/, $pid_gen // '0:0')[1], $gen0 + 1, 'exactly one new generation: one process was started');
	my $log = slurp_file($node->logfile);
	my $starts = () = $log =~ /LOG:\s+plugin "pm_test_slowstop" starting/g;
	is($starts, $gen0 + 1, 'the manager started exactly one process for them');
}

# start the requesters
my @runs;
for my $i (1 .. $sessions)
{
	my ($out, $err) = ('', '');
	my $h = IPC::Run::start(
		[ 'psql', '-XAtq', '-d', $node->connstr('postgres'), '-c',
		  "SELECT ok, shutting_down, other FROM hammer($max_per_session, ARRAY['pm_test', 'pm_test2'])" ],
		'>', \$out, '2>', \$err);
	push @runs, { h => $h, out => \$out, err => \$err };
}

# the chaos session: restart, stop and start as fast as it can
my $chaos = $node->background_psql('postgres', on_error_stop => 0);
my ($cycles, $chaos_errors, $flag_seen) = (0, 0, 0);
while ($cycles < $chaos_cycles)
{
	my ($res, $ret) = $chaos->query(q{
		SELECT (plugin_manager.restart_plugin('pm_test')).pid > 0;
		SELECT plugin_manager.stop_plugin('pm_test2') IS NOT NULL;
		SELECT (plugin_manager.start_plugin('pm_test2')).pid > 0;
		SELECT plugin_manager.stop_plugin('pm_test') IS NOT NULL;
		SELECT (plugin_manager.start_plugin('pm_test')).pid > 0;
		SELECT shutting_down FROM plugin_manager.manager_status();
	});
	$cycles++;
	$chaos_errors++ if $ret != 0 || $chaos->{stderr} ne '';
	diag("chaos error: $chaos->{stderr}") if $chaos->{stderr} ne '';
	$chaos->{stderr} = '';
	$flag_seen++ if $res =~ /\bt$/;
	$_->{h}->pump_nb for grep { $_->{h}->pumpable } @runs;
}
my $running = grep { $_->{h}->pumpable } @runs;
$node->safe_psql('postgres', 'UPDATE stress_control SET done = true');
$chaos->quit;
$_->{h}->finish for @runs;

my ($ok, $sd, $other) = (0, 0, 0);
for my $r (@runs)
{
	my ($a, $b, $c) = split /\|/, ${ $r->{out} } =~ s/\s+$//r;
	$ok += $a // 0;
	$sd += $b // 0;
	$other += $c // 0;
	diag("requester stderr: ${ $r->{err} }") if ${ $r->{err} } ne '';
}
my $total = $ok + $sd + $other;
diag("stress: $total handle requests from $sessions sessions ($ok ok, $sd shutting-down, "
	  . "$other other errors) during $cycles chaos cycles "
	  . "(5 restart/stop/start calls each), $chaos_errors chaos errors");

is($running, $sessions, 'every requester was still running when the chaos ended');
cmp_ok($total, '>=', 2000, "thousands of requests were made ($total)");
is($sd, 0, 'no request saw "plugin manager is shutting down"');
is($other, 0, 'no request failed for any other reason');
is($ok, $total, 'every request got a handle');
cmp_ok($cycles, '>=', 5, 'the chaos session restarted, stopped and started the plugins meanwhile');
is($chaos_errors, 0, 'no stop, start or restart failed');
is($flag_seen, 0, 'the shutdown flag was never seen set');
is(pm_log_pos($node, qr/ERROR:\s+plugin manager is shutting down|LOG:\s+plugin manager shutting down/),
	-1, 'the server log has no shutting-down error and no shutdown');
my $log = slurp_file($node->logfile);
my $starts = () = $log =~ /LOG:\s+plugin manager started/g;
is($starts, 1, 'the manager never restarted');

# each registry slot is sane afterwards
my $rows = $node->safe_psql('postgres',
	"SELECT name, state IN ('running', 'stopped'), restarts > 0 FROM plugin_manager.plugins WHERE name IN ('pm_test', 'pm_test2') ORDER BY name");
is($rows, "pm_test|t|t\npm_test2|t|t", 'both plugins end in a clean state with restarts counted');

$node->stop('fast');
done_testing();

# Helpers shared by the TAP tests: a node with plugin_manager preloaded and
# the test plugins in its plugin_dir (prepared by test/run_tests.sh and
# passed in PM_TEST_PLUGIN_DIR).
package PmTest;

use strict;
use warnings;
use Exporter 'import';
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use Time::HiRes qw(usleep);

our @EXPORT = qw(pm_node pm_manager_pid pm_wait_manager pm_alive pm_wait_gone
  pm_log_pos);

sub pm_node
{
	my ($name, @conf) = @_;
	my $dir = $ENV{PM_TEST_PLUGIN_DIR}
	  or BAIL_OUT('PM_TEST_PLUGIN_DIR is not set: run test/run_tests.sh');
	my $node = PostgreSQL::Test::Cluster->new($name);
	$node->init;
	$node->append_conf('postgresql.conf', join("\n",
		"shared_preload_libraries = 'plugin_manager'",
		"plugin_manager.plugin_dir = '$dir'",
		"log_line_prefix = '%m [%p] '",
		@conf) . "\n");
	$node->start;
	$node->safe_psql('postgres', 'CREATE EXTENSION plugin_manager');
	pm_wait_manager($node);
	return $node;
}

# pid of a running manager (waits for one), optionally other than $not
sub pm_wait_manager
{
	my ($node, $not) = @_;
	$not //= 0;
	$node->poll_query_until('postgres',
		"SELECT state = 'running' AND pid <> $not FROM plugin_manager.manager_status()")
	  or die "plugin manager did not come up";
	return pm_manager_pid($node);
}

sub pm_manager_pid
{
	my ($node) = @_;
	return $node->safe_psql('postgres',
		'SELECT coalesce(pid, 0) FROM plugin_manager.manager_status()');
}

sub pm_alive
{
	my ($pid) = @_;
	return kill(0, $pid) ? 1 : 0;
}

# true once none of @pids exists (bounded wait)
sub pm_wait_gone
{
	my ($secs, @pids) = @_;
	for (my $i = 0; $i < $secs * 10; $i++)
	{
		return 1 unless grep { pm_alive($_) } @pids;
		usleep(100_000);
	}
	return 0;
}

# byte offset of the first match of $re in the server log, or -1
sub pm_log_pos
{
	my ($node, $re) = @_;
	my $log = slurp_file($node->logfile);
	return $log =~ $re ? $-[0] : -1;
}

1;

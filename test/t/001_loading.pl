# Loading rules, the manager's start, a clean plugin environment, stderr in
# the server log, and plugin_dir permissions.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use PmTest;

# Without shared_preload_libraries the library refuses to load, clearly.
my $plain = PostgreSQL::Test::Cluster->new('plain');
$plain->init;
$plain->start;
my ($ret, $out, $err) = $plain->psql('postgres', 'CREATE EXTENSION plugin_manager');
isnt($ret, 0, 'CREATE EXTENSION fails when the library is not preloaded');
like($err, qr/plugin_manager must be loaded via shared_preload_libraries/,
	'error says the library must be preloaded');
like($err, qr/HINT:\s+Add plugin_manager to shared_preload_libraries/,
	'error has a hint on what to do');
($ret, $out, $err) = $plain->psql('postgres', "LOAD 'plugin_manager'");
like($err, qr/must be loaded via shared_preload_libraries/, 'LOAD is refused the same way');
$plain->stop;

# A secret in the server's environment must not reach plugins.
local $ENV{PM_SECRET_TOKEN} = 'hunter2';
my $node = pm_node('main');
ok(pm_log_pos($node, qr/LOG:\s+plugin manager started/) >= 0, 'manager logs its start');
is($node->safe_psql('postgres',
		'SELECT state, shutting_down FROM plugin_manager.manager_status()'),
	'running|f', 'manager is running, not shutting down');
is($node->safe_psql('postgres',
		"SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'plugin manager'"),
	'1', 'manager shows in pg_stat_activity');

my $endpoint = $node->safe_psql('postgres',
	"SELECT endpoint FROM plugin_manager.start_plugin('pm_test')");
like($endpoint, qr{^/tmp/pg_plugin_manager\.\d+\.\w+/\d+-\d+\.sock$}, 'endpoint is a socket in the private folder');
my $dir = $endpoint =~ s{/[^/]+$}{}r;
my $mode = (stat($dir))[2] & 07777;
is(sprintf('%04o', $mode), '0700', 'socket folder is private (0700)');

my $env = `curl -s --max-time 10 --unix-socket '$endpoint' http://plugin/v1/env`;
like($env, qr/"PLUGIN_MANAGER_SOCKET": "\Q$endpoint\E"/, 'plugin got PLUGIN_MANAGER_SOCKET');
like($env, qr/"PLUGIN_MANAGER_PROTOCOL": "1"/, 'plugin got PLUGIN_MANAGER_PROTOCOL=1');
unlike($env, qr/hunter2|PM_SECRET_TOKEN/, 'server environment secret did not reach the plugin');
unlike($env, qr/"PGDATA"|"PGPORT"|"PG_REGRESS"/, 'no PostgreSQL variables in the plugin environment');
my $health = `curl -s --max-time 10 --unix-socket '$endpoint' http://plugin/v1/health`;
like($health, qr/"status": "ok"/, 'plugin answers /v1/health on its endpoint');

ok(pm_log_pos($node, qr/LOG:\s+plugin "pm_test": listening on \Q$endpoint\E/) >= 0,
	"plugin's stderr lines reach the server log with its name");
ok(pm_log_pos($node, qr/LOG:\s+plugin "pm_test" running \(pid \d+\)/) >= 0,
	'state change to running is logged');

# plugin_dir writable by others: refused, with the reason.
my $bad = PostgreSQL::Test::Utils::tempdir();
system("cp", "-L", "$ENV{PM_TEST_PLUGIN_DIR}/pm_test", "$bad/pm_open") == 0 or die;
chmod 0777, $bad;
$node->safe_psql('postgres', "ALTER SYSTEM SET plugin_manager.plugin_dir = '$bad'");
$node->reload;
$node->poll_query_until('postgres',
	"SELECT current_setting('plugin_manager.plugin_dir') = '$bad'") or die;
sleep 1;    # the manager reloads on its own SIGHUP
($ret, $out, $err) = $node->psql('postgres',
	"SELECT * FROM plugin_manager.start_plugin('pm_open')");
like($err, qr/writable by group or others/, 'group/world-writable plugin_dir is refused with the reason');
chmod 0755, $bad;
($ret, $out, $err) = $node->psql('postgres',
	"SELECT pid > 0 FROM plugin_manager.start_plugin('pm_open')");
is($out, 't', 'the same plugin starts once plugin_dir is private');
$node->safe_psql('postgres', 'ALTER SYSTEM RESET plugin_manager.plugin_dir');
$node->reload;

$node->stop;

# max_plugins slots: a third plugin is refused while two run, with a clear
# error, and gets a slot once one of them is stopped
my $small = pm_node('small', 'plugin_manager.max_plugins = 2');
$small->safe_psql('postgres', "SELECT plugin_manager.start_plugin('pm_test')");
$small->safe_psql('postgres', "SELECT plugin_manager.start_plugin('pm_test2')");
($ret, $out, $err) = $small->psql('postgres', "SELECT plugin_manager.start_plugin('pm_test_slowstop')");
like($err, qr/ERROR:\s+too many plugins in use.*HINT:\s+Stop a plugin, or raise plugin_manager.max_plugins/s,
	'a full registry refuses another plugin with a hint');
$small->safe_psql('postgres', "SELECT plugin_manager.stop_plugin('pm_test2')");
($ret, $out, $err) = $small->psql('postgres',
	"SELECT pid > 0 FROM plugin_manager.start_plugin('pm_test_slowstop')");
is($out, 't', "a stopped plugin's slot is reused");
is($small->safe_psql('postgres', 'SELECT string_agg(name, \',\' ORDER BY name) FROM plugin_manager.plugins'),
	'pm_test,pm_test_slowstop', 'the registry holds the two plugins in use');
$small->stop;
done_testing();

# The net plugin through the foreign-data wrapper, against an HTTP server of
# the test's own on 127.0.0.1: real requests, a required key column filled
# by a join, a timeout that fires, and the default scheme allow-list.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use IO::Socket::INET;
use Time::HiRes qw(time);
use PmTest;

# a tiny HTTP server: "/slow" answers after 5 s, anything else at once
my $listener = IO::Socket::INET->new(
	LocalAddr => '127.0.0.1', LocalPort => 0, Proto => 'tcp',
	Listen => 16, ReuseAddr => 1) or die "listen: $!";
my $port = $listener->sockport;
my $server = fork();
die "fork: $!" unless defined $server;
if ($server == 0)
{
	# let the test's output end when the test ends
	open(STDOUT, '>', '/dev/null');
	open(STDERR, '>', '/dev/null');
	my $deadline = time + 120;
	while (time < $deadline)
	{
		my $c = $listener->accept or next;
		my $req = '';
		while (my $line = <$c>)
		{
			$req .= $line;
			last if $line eq "\r\n";
		}
		my ($path) = $req =~ m{^\w+ (\S+)};
		sleep 5 if ($path // '') eq '/slow';
		my $body = "hello from " . ($path // '?');
		print $c "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Test: yes\r\n"
		  . "Content-Length: " . length($body) . "\r\nConnection: close\r\n\r\n$body";
		close $c;
	}
	exit 0;
}
close $listener;
# the server goes with the test, however the test ends
END { kill 'KILL', $server if $server; }

my $node = pm_node('net');
$node->safe_psql('postgres', q{
CREATE SERVER net FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'net', timeout_ms '700');
CREATE SCHEMA n;
IMPORT FOREIGN SCHEMA net FROM SERVER net INTO n;
});
my $base = "http://127.0.0.1:$port";

is($node->safe_psql('postgres',
		"SELECT status, body, headers->>'x-test' FROM n.http_request WHERE url = '$base/a'"),
	"200|hello from /a|yes", 'a real HTTP request: status, body and headers (names in lower case)');
is($node->safe_psql('postgres',
		"SELECT string_agg(body, ',' ORDER BY body) FROM n.http_request WHERE url IN ('$base/x', '$base/y')"),
	'hello from /x,hello from /y', 'url IN (...) makes one request per value');
like($node->safe_psql('postgres',
		"EXPLAIN (COSTS OFF) SELECT r.status FROM (VALUES ('$base/1'), ('$base/2')) v(u) JOIN n.http_request r ON r.url = v.u"),
	qr/Nested Loop.*Foreign Scan on http_request r.*Pushed Quals: url = /s,
	'a join gives the required url to the plugin as a parameter');
is($node->safe_psql('postgres',
		"SELECT string_agg(r.body, ',' ORDER BY r.body) FROM (VALUES ('$base/1'), ('$base/2')) v(u) JOIN n.http_request r ON r.url = v.u"),
	'hello from /1,hello from /2', 'and answers');

my $t0 = time;
my ($ret, $out, $err) = $node->psql('postgres',
	"SELECT status FROM n.http_request WHERE url = '$base/slow'");
my $took = time - $t0;
like($err, qr/ERROR:\s+HTTP request failed/, "the plugin's timeout_ms fires on a server that does not answer");
cmp_ok($took, '<', 4, 'within the configured 700 ms, not the server\'s 5 s');
like($err, qr/CONTEXT:\s+scan of table "http_request" from plugin "net"/, 'with the context line');

($ret, $out, $err) = $node->psql('postgres',
	"SELECT status FROM n.http_request WHERE url = 'file:///etc/passwd'");
like($err, qr/scheme not allowed/, 'file:// is refused by default');
($ret, $out, $err) = $node->psql('postgres', 'SELECT status FROM n.http_request');
like($err, qr/a value for column "url" is required/, 'no url: refused before any request');

kill 'KILL', $server;
waitpid($server, 0);
$server = 0;
$node->stop('fast');
done_testing();

-- The foreign-data wrapper's objects and option validation.
\set VERBOSITY default
\dew plugin_manager

-- a server names a local plugin or a remote URL, not both, not neither
CREATE SERVER bad1 FOREIGN DATA WRAPPER plugin_manager;
CREATE SERVER bad2 FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', url 'http://127.0.0.1:1');
CREATE SERVER bad3 FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin '../bin/sh');
CREATE SERVER bad4 FOREIGN DATA WRAPPER plugin_manager OPTIONS (url 'file:///etc/passwd');
CREATE SERVER bad5 FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', idle_timeout 'soon');
CREATE SERVER bad6 FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series', connect_timeout '-1');
-- the wrapper itself takes no options
ALTER FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series');

-- other server options are the plugin's configuration
CREATE SERVER series10 FOREIGN DATA WRAPPER plugin_manager
    OPTIONS (plugin 'series', rows '10', request_timeout '5s', idle_timeout '10000ms');
-- changing it keeps the rules
ALTER SERVER series10 OPTIONS (ADD url 'http://127.0.0.1:1');
ALTER SERVER series10 OPTIONS (DROP plugin);
ALTER SERVER series10 OPTIONS (SET plugin '');

-- table options: the plugin's table, and its key columns
CREATE FOREIGN TABLE ft_bad (id bigint) SERVER series10 OPTIONS (tabel 'rows');
CREATE FOREIGN TABLE ft_bad (id bigint) SERVER series10 OPTIONS (table '');
CREATE FOREIGN TABLE ft_bad (id bigint) SERVER series10 OPTIONS (key_columns '{oops');
CREATE FOREIGN TABLE ft_bad (id bigint) SERVER series10
    OPTIONS (key_columns '[{"name": "id", "operators": ["~~"]}]');
CREATE FOREIGN TABLE ft_bad (id bigint OPTIONS (name 'x')) SERVER series10;

-- a remote plugin URL is for superusers only
CREATE ROLE pm_fdw_user;
GRANT USAGE ON FOREIGN DATA WRAPPER plugin_manager TO pm_fdw_user;
SET ROLE pm_fdw_user;
CREATE SERVER remote1 FOREIGN DATA WRAPPER plugin_manager OPTIONS (url 'http://127.0.0.1:9');
CREATE SERVER mine FOREIGN DATA WRAPPER plugin_manager OPTIONS (plugin 'series');
DROP SERVER mine;
RESET ROLE;
REVOKE USAGE ON FOREIGN DATA WRAPPER plugin_manager FROM pm_fdw_user;
DROP ROLE pm_fdw_user;

-- user mapping options are credentials: any name goes
CREATE USER MAPPING FOR CURRENT_USER SERVER series10 OPTIONS (token 's3cr3t', region 'x');
DROP USER MAPPING FOR CURRENT_USER SERVER series10;

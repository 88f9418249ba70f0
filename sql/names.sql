-- A plugin name is a plain identifier: nothing that could leave plugin_dir.
\set VERBOSITY default
SELECT * FROM plugin_manager.start_plugin('');
SELECT * FROM plugin_manager.start_plugin('..');
SELECT * FROM plugin_manager.start_plugin('../pm_test');
SELECT * FROM plugin_manager.start_plugin('/bin/sh');
SELECT * FROM plugin_manager.start_plugin('sub/pm_test');
SELECT * FROM plugin_manager.start_plugin('.hidden');
SELECT * FROM plugin_manager.start_plugin('-rf');
SELECT * FROM plugin_manager.start_plugin('pm test');
SELECT * FROM plugin_manager.start_plugin(repeat('x', 64));
SELECT plugin_manager.stop_plugin('../pm_test');
SELECT * FROM plugin_manager.restart_plugin('a/b');
-- NULL in, NULL out (the functions are strict)
SELECT * FROM plugin_manager.start_plugin(NULL);
-- nothing of the above took a registry slot
SELECT count(*) FROM plugin_manager.plugins WHERE name !~ '^[A-Za-z0-9_][A-Za-z0-9_-]*$';

-- The plugin manager, the registry view and the admin functions.
\set VERBOSITY default

-- the manager is up, and not shutting down
SELECT pid IS NOT NULL AS has_pid, state, shutting_down, started_at <= now() AS started
  FROM plugin_manager.manager_status();

-- what plugin_dir holds (bundled plugins may be there too)
SELECT name, path LIKE '%/' || name AS path_ok
  FROM plugin_manager.available_plugins()
 WHERE name LIKE 'pm\_test%' ORDER BY name;

-- a start gives a handle on a running process
CREATE TEMP TABLE h1 AS SELECT * FROM plugin_manager.start_plugin('pm_test');
SELECT endpoint LIKE '/%.sock' AS socket, pid > 0 AS has_pid, generation >= 1 AS has_generation
  FROM h1;
SELECT name, state, pid = (SELECT pid FROM h1) AS same_pid,
       endpoint = (SELECT endpoint FROM h1) AS same_endpoint,
       generation = (SELECT generation FROM h1) AS same_generation,
       started_at IS NOT NULL AS started, last_error
  FROM plugin_manager.plugins WHERE name = 'pm_test';

-- asking again gives the same process
SELECT h.pid = h1.pid AS same_pid, h.generation = h1.generation AS same_generation
  FROM plugin_manager.start_plugin('pm_test') h, h1;

-- restart: a new process, a newer generation, one more restart
CREATE TEMP TABLE h2 AS SELECT * FROM plugin_manager.restart_plugin('pm_test');
SELECT h2.pid <> h1.pid AS new_pid, h2.generation = h1.generation + 1 AS next_generation,
       h2.endpoint <> h1.endpoint AS new_endpoint
  FROM h1, h2;
SELECT state, restarts, last_exit
  FROM plugin_manager.plugins WHERE name = 'pm_test';

-- stop: true when there was a process, false when there was none
SELECT plugin_manager.stop_plugin('pm_test');
SELECT plugin_manager.stop_plugin('pm_test');
SELECT state, pid, endpoint, last_exit, last_error
  FROM plugin_manager.plugins WHERE name = 'pm_test';
-- stopping a plugin that never ran is no error
SELECT plugin_manager.stop_plugin('pm_test2');

-- a stopped plugin starts again on the next request
SELECT h.generation = h2.generation + 1 AS next_generation
  FROM plugin_manager.start_plugin('pm_test') h, h2;
SELECT state, restarts FROM plugin_manager.plugins WHERE name = 'pm_test';

-- plugins that cannot start say why, with an error code
CREATE FUNCTION pg_temp.try_start(plugin text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    st text; msg text; det text; hnt text;
BEGIN
    PERFORM plugin_manager.start_plugin(plugin);
    RETURN 'started';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            det = PG_EXCEPTION_DETAIL, hnt = PG_EXCEPTION_HINT;
    RETURN st || E'\n' || msg || E'\n' ||
           replace(det, current_setting('plugin_manager.plugin_dir'), '$plugin_dir') ||
           coalesce(E'\n' || nullif(hnt, ''), '');
END $$;
SELECT pg_temp.try_start('pm_test_exitfail');
SELECT pg_temp.try_start('pm_test_nohandshake');
SELECT pg_temp.try_start('pm_test_badhandshake');
SELECT pg_temp.try_start('pm_test_noexec');
SELECT pg_temp.try_start('no_such_plugin');
SELECT name, state, pid, last_exit, last_error
  FROM plugin_manager.plugins WHERE name LIKE 'pm\_test\_%' ORDER BY name;

-- a failed plugin can be stopped, which clears the failure
SELECT plugin_manager.stop_plugin('pm_test_exitfail');
SELECT name, state FROM plugin_manager.plugins WHERE name = 'pm_test_exitfail';

-- no line of the view ever says the manager is shutting down
SELECT shutting_down FROM plugin_manager.manager_status();
SELECT plugin_manager.stop_plugin('pm_test');

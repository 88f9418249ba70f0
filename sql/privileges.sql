-- The view and manager_status() are for everyone; the controls are not.
\set VERBOSITY default
CREATE ROLE pm_regress_user;
SET ROLE pm_regress_user;
SELECT count(*) >= 0 AS can_read FROM plugin_manager.plugins;
SELECT state FROM plugin_manager.manager_status();
SELECT * FROM plugin_manager.start_plugin('pm_test');
SELECT plugin_manager.stop_plugin('pm_test');
SELECT * FROM plugin_manager.restart_plugin('pm_test');
SELECT count(*) FROM plugin_manager.available_plugins();
RESET ROLE;

-- an administrator can delegate a control
GRANT EXECUTE ON FUNCTION plugin_manager.start_plugin(text) TO pm_regress_user;
SET ROLE pm_regress_user;
SELECT pid > 0 AS started FROM plugin_manager.start_plugin('pm_test');
RESET ROLE;
SELECT plugin_manager.stop_plugin('pm_test');
REVOKE EXECUTE ON FUNCTION plugin_manager.start_plugin(text) FROM pm_regress_user;
DROP ROLE pm_regress_user;

/* plugin_manager--1.0.sql */

-- complain if script is sourced in psql, rather than via CREATE EXTENSION
\echo Use "CREATE EXTENSION plugin_manager" to load this file. \quit

-- the view's source; callable by all, like the view (a view's functions are
-- checked against the caller)
CREATE FUNCTION plugin_manager._plugins(
    OUT name text, OUT state text, OUT pid integer, OUT endpoint text,
    OUT generation bigint, OUT restarts integer, OUT started_at timestamptz,
    OUT last_exit text, OUT last_error text,
    OUT scans bigint, OUT rows bigint, OUT bytes bigint, OUT errors bigint,
    OUT scan_time_ms double precision)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pm_plugins'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE VIEW plugin_manager.plugins AS
    SELECT * FROM plugin_manager._plugins();
COMMENT ON VIEW plugin_manager.plugins IS
    'One row per plugin registry slot: state, process, generation, restarts, last exit, and what foreign scans of the plugin added up to';
GRANT SELECT ON plugin_manager.plugins TO PUBLIC;

CREATE FUNCTION plugin_manager.manager_status(
    OUT pid integer, OUT state text, OUT shutting_down boolean,
    OUT started_at timestamptz)
RETURNS record
AS 'MODULE_PATHNAME', 'pm_manager_status'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION plugin_manager.manager_status() IS
    'The plugin manager background worker: pid, state (starting, running, shutting_down), shutdown flag';

CREATE FUNCTION plugin_manager.available_plugins(OUT name text, OUT path text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pm_available_plugins'
LANGUAGE C STRICT VOLATILE PARALLEL SAFE;
COMMENT ON FUNCTION plugin_manager.available_plugins() IS
    'Executables in plugin_manager.plugin_dir that can be used as plugins';

CREATE FUNCTION plugin_manager.start_plugin(name text,
    OUT endpoint text, OUT pid integer, OUT generation bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pm_start_plugin'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION plugin_manager.start_plugin(text) IS
    'Handle on a running process of the plugin, starting it if needed (what a query does)';

CREATE FUNCTION plugin_manager.stop_plugin(name text)
RETURNS boolean
AS 'MODULE_PATHNAME', 'pm_stop_plugin'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION plugin_manager.stop_plugin(text) IS
    'Stop the plugin''s process; true if there was one';

CREATE FUNCTION plugin_manager.restart_plugin(name text,
    OUT endpoint text, OUT pid integer, OUT generation bigint)
RETURNS record
AS 'MODULE_PATHNAME', 'pm_restart_plugin'
LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION plugin_manager.restart_plugin(text) IS
    'Stop the plugin''s process and start a new one; returns the new handle';

GRANT USAGE ON SCHEMA plugin_manager TO PUBLIC;
REVOKE ALL ON FUNCTION plugin_manager.available_plugins() FROM PUBLIC;
REVOKE ALL ON FUNCTION plugin_manager.start_plugin(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION plugin_manager.stop_plugin(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION plugin_manager.restart_plugin(text) FROM PUBLIC;

-- The foreign-data wrapper
CREATE FUNCTION plugin_manager.fdw_handler()
RETURNS fdw_handler
AS 'MODULE_PATHNAME', 'pm_fdw_handler'
LANGUAGE C STRICT;

CREATE FUNCTION plugin_manager.fdw_validator(text[], oid)
RETURNS void
AS 'MODULE_PATHNAME', 'pm_fdw_validator'
LANGUAGE C STRICT;

CREATE FOREIGN DATA WRAPPER plugin_manager
    HANDLER plugin_manager.fdw_handler
    VALIDATOR plugin_manager.fdw_validator;
COMMENT ON FOREIGN DATA WRAPPER plugin_manager IS
    'Query plugins (local processes run by the plugin manager, or remote URLs) as foreign tables';

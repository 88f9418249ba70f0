-- Loading, objects and settings.
CREATE EXTENSION plugin_manager;

-- the objects, as \dx+ shows them
\dx+ plugin_manager
\d plugin_manager.plugins

-- loading again is harmless: the library is already preloaded
LOAD 'plugin_manager';

-- settings live under a reserved prefix; their defaults
SELECT name, boot_val, unit, context, vartype
  FROM pg_settings WHERE name LIKE 'plugin_manager.%'
 ORDER BY name;
SET plugin_manager.no_such_setting = 1;

-- plugin_dir says where the server runs programs from: superuser only,
-- set in postgresql.conf, never by SET
SET plugin_manager.plugin_dir = '/tmp';
ALTER SYSTEM SET plugin_manager.plugin_dir = 'relative/dir';
ALTER SYSTEM SET plugin_manager.plugin_dir = '';
ALTER SYSTEM SET plugin_manager.startup_timeout = 10;
ALTER SYSTEM SET plugin_manager.max_plugins = 0;

-- the extension cannot be moved to another schema
CREATE SCHEMA elsewhere;
ALTER EXTENSION plugin_manager SET SCHEMA elsewhere;
DROP SCHEMA elsewhere;

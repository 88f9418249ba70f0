/*-------------------------------------------------------------------------
 *
 * plugin_manager.h
 *		Settings shared by every part of the extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PLUGIN_MANAGER_H
#define PLUGIN_MANAGER_H

/* GUCs, defined in plugin_manager.c */
extern int	pm_max_plugins;
extern char *pm_plugin_dir;
extern int	pm_startup_timeout;
extern int	pm_stop_timeout;

/* plugin_dir with "$libdir" expanded, in a palloc'd string */
extern char *pm_plugin_dir_path(void);
/* full path of a plugin's executable; the name must have been checked */
extern char *pm_plugin_path(const char *name);

/* manager.c */
extern void pm_register_manager(void);

#endif							/* PLUGIN_MANAGER_H */

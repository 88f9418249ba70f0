/*-------------------------------------------------------------------------
 *
 * fdw.h
 *		The foreign-data wrapper (fdw.c): its set-up at load time.
 *
 *-------------------------------------------------------------------------
 */
#ifndef PM_FDW_H
#define PM_FDW_H

extern void pm_fdw_init(void);

#endif							/* PM_FDW_H */

/* Internal to the core runtime and its entry points (main_*.c): arena lifecycle,
 * memory statistics and raw stderr/stdout writes. */
#ifndef X07RT_MEM_H
#define X07RT_MEM_H
#include "x07rt_core.h"

void x07_mem_init(void);          /* maps the arena (traps "calloc failed") */
void x07_mem_reset_stats(void);   /* after the input is read */
void *x07_alloc_runtime(uint32_t n); /* untracked, never freed */
void x07_vec_set_cap(x07_vec *v, uint32_t cap);
void x07_write_metrics(void);     /* the metrics JSON line on stderr */
/* write(2) until all n bytes are out; 0 on error. Async-signal-safe (used by traps). */
int x07_write_all(int fd, const void *p, size_t n);
/* Set by the entry point: bundles end a trap with this exit status (documented as 5)
 * instead of dying of SIGILL; 0 (framed runs) keeps the trap instruction. */
extern int x07_trap_exit_status;
/* Set by the framed entry point: run before os.process.exit ends the process early, so
 * the runner still gets a well-formed (empty) frame and the metrics line. */
extern void (*x07_before_exit)(void);

#endif

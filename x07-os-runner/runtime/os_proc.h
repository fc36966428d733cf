/* Internal: child-process table, spawn and supervision (runner.md §6.5). */
#ifndef X07_OS_PROC_H
#define X07_OS_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "x07rt.h"

enum {
  X07_PROC_POLICY_DENIED = 1,
  X07_PROC_INVALID_REQUEST = 2,
  X07_PROC_SPAWN_FAILED = 3,
  X07_PROC_TIMEOUT = 4,
  X07_PROC_OUTPUT_LIMIT = 5,
};

enum { X07_PROC_MODE_CAPTURE = 1, X07_PROC_MODE_PIPED = 2 };

typedef struct {
  uint8_t *p;
  size_t len, cap;
} x07_proc_buf; /* malloc'd */

/* A validated spawn request: everything malloc'd, NUL-terminated. */
typedef struct {
  char **argv; /* argc + 1 entries, NULL-terminated */
  uint32_t argc;
  char **envp; /* "K=V" entries, NULL-terminated */
  uint32_t envc;
  char *cwd;       /* NULL: inherit */
  int cwd_rel;     /* sandboxed: cwd is relative to each allowed root */
  uint8_t *stdin_data;
  uint32_t stdin_len;
  uint32_t max_out, max_err, max_total, timeout_ms;
} x07_proc_spec;

typedef struct {
  int used;
  uint16_t gen;
  int mode;
  int running;     /* child alive (not yet reaped) */
  int finished;    /* capture: exited and all pipes closed, or failed */
  pid_t pid;
  int kill_tree;
  int fd_in, fd_out, fd_err;
  x07_proc_buf out, err, in_pending;
  size_t in_off;
  int in_close_requested;
  uint64_t start_ms;
  uint32_t timeout_ms, max_out, max_err, max_total;
  uint32_t exit_code; /* status or 128 + signal */
  uint32_t err_code;  /* 0 or X07_PROC_* failure */
  int join_taken, exit_taken;
} x07_proc_slot;

/* Parses and checks ProcReqV1/ProcCapsV1 in the spec's order. Returns 0 and
 * fills *spec, or a failure code (traps for NUL bytes). */
uint32_t x07_proc_check_caps(x07_view caps, x07_proc_spec *spec);
uint32_t x07_proc_check_req(x07_view req, x07_proc_spec *spec);
void x07_proc_spec_free(x07_proc_spec *spec);

/* Handle <-> slot. Sentinel handles have low 16 bits 0. Traps
 * "os.process invalid handle" for stale/unknown handles. */
x07_proc_slot *x07_proc_slot_of(uint32_t h);
int x07_proc_is_sentinel(uint32_t h);

/* Spawns per the spec into a new slot; failures finish the slot with a code. */
uint32_t x07_proc_spawn(x07_view req, x07_view caps, int mode);

/* One supervision pass: I/O, reaping, timeouts, output limits. Waits up to
 * wait_ms (0 = do not block, -1 = until something happens). */
void x07_proc_poll_all(int wait_ms);

/* Kills (group when kill_tree), closes pipes and reaps a running child. */
void x07_proc_kill_reap(x07_proc_slot *s);
/* Frees a slot and bumps its generation. */
void x07_proc_slot_release(x07_proc_slot *s);
/* Copies out up to max buffered bytes (consuming them). */
x07_bytes x07_proc_buf_take(x07_proc_buf *b, uint32_t max);
void x07_proc_buf_add(x07_proc_buf *b, const uint8_t *p, size_t n);

/* 1 while some slot is still running or has open pipes (the scheduler keeps polling). */
int x07_proc_any_unfinished(void);

void x07_proc_fini(void);

#endif

/* The one-line metrics JSON written to stderr after a framed run
 * (key order is part of the ABI: runner.md §3.3). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "x07rt_mem.h"

int x07_sched_stats_json(char *buf, size_t n); /* core_sched.c */

/* Debug-borrow builds report borrow violations; the compiler rejects every
 * borrow violation statically, so none can happen at run time. */
#ifdef X07_DEBUG_BORROW
static const char debug_stats[] = ",\"debug_stats\":{\"borrow_violations\":0}";
#else
static const char debug_stats[] = "";
#endif

void x07_write_metrics(void) {
  char buf[2048], sched[512];
  if (x07_sched_stats_json(sched, sizeof sched) < 0) sched[0] = 0;
  unsigned long long fuel_used = (unsigned long long)(x07_fuel_initial() - x07_fuel_left);
  unsigned long long heap = x07_mem.peak_live_bytes > 0xFFFFFFFFu ? 0xFFFFFFFFu : x07_mem.peak_live_bytes;
  const x07_counters *c = &x07_metrics;
  int n = snprintf(buf, sizeof buf,
      "{\"fuel_used\":%llu,\"heap_used\":%llu,\"fs_read_file_calls\":%llu,\"fs_list_dir_calls\":%llu,"
      "\"rr_open_calls\":%llu,\"rr_close_calls\":%llu,\"rr_stats_calls\":%llu,\"rr_next_calls\":%llu,"
      "\"rr_next_miss_calls\":%llu,\"rr_append_calls\":%llu,\"kv_get_calls\":%llu,\"kv_set_calls\":%llu,"
      "\"sched_stats\":%s,"
      "\"mem_stats\":{\"alloc_calls\":%llu,\"realloc_calls\":%llu,\"free_calls\":%llu,\"bytes_alloc_total\":%llu,"
      "\"bytes_freed_total\":%llu,\"live_bytes\":%llu,\"peak_live_bytes\":%llu,\"live_allocs\":%llu,"
      "\"peak_live_allocs\":%llu,\"memcpy_bytes\":%llu}%s}\n",
      fuel_used, heap, (unsigned long long)c->fs_read_file_calls, (unsigned long long)c->fs_list_dir_calls,
      (unsigned long long)c->rr_open_calls, (unsigned long long)c->rr_close_calls,
      (unsigned long long)c->rr_stats_calls, (unsigned long long)c->rr_next_calls,
      (unsigned long long)c->rr_next_miss_calls, (unsigned long long)c->rr_append_calls,
      (unsigned long long)c->kv_get_calls, (unsigned long long)c->kv_set_calls, sched,
      (unsigned long long)x07_mem.alloc_calls, (unsigned long long)x07_mem.realloc_calls,
      (unsigned long long)x07_mem.free_calls, (unsigned long long)x07_mem.bytes_alloc_total,
      (unsigned long long)x07_mem.bytes_freed_total, (unsigned long long)x07_mem.live_bytes,
      (unsigned long long)x07_mem.peak_live_bytes, (unsigned long long)x07_mem.live_allocs,
      (unsigned long long)x07_mem.peak_live_allocs, (unsigned long long)x07_memcpy_bytes, debug_stats);
  if (n < 0) return;
  if ((size_t)n >= sizeof buf) n = (int)sizeof buf - 1;
  x07_write_all(2, buf, (size_t)n);
}

/* Included by ffiprobe.c only: the runner's cache key must change when this changes. */
#define FFIPROBE_HEADER_VERSION 1

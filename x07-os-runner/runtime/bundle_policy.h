/* A sandboxed bundle's kernel sandbox from its effective policy (see bundle_policy.c). */
#ifndef X07_BUNDLE_POLICY_H
#define X07_BUNDLE_POLICY_H

#include "x07_sandbox.h"

/* Fills the policy-derived fields of `cfg` (fs roots, network, process, extra read
 * paths, TCP ports) from the X07_OS_* environment as the runtime reads it; limits are
 * left alone. Memory it allocates lives as long as the process. 0, or -1 when out of memory. */
int x07_bundle_sandbox_policy_from_env(x07_sandbox_config *cfg);

#endif

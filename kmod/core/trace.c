// SPDX-License-Identifier: GPL-2.0
/*
 * trace.c - instantiates the tracepoints of kvmini_trace.h.
 */
#define CREATE_TRACE_POINTS
#include "../kvmini_trace.h"

# SPDX-License-Identifier: GPL-2.0
# libkvmini's sources, relative to user/: for every Makefile that builds
# the library or links it in (the top-level one, selftests/Makefile).
LIBKVMINI_SRCS	:= libkvmini.c backend_kvmini.c backend_kvm.c stats.c hw_exit.c
LIBKVMINI_HDRS	:= libkvmini.h backend.h

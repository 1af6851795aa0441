/* SPDX-License-Identifier: GPL-2.0 */
/* testdev.h - the MMIO test device's layout, shared with the guests. */
#ifndef KVMINI_TESTDEV_H
#define KVMINI_TESTDEV_H

#define TESTDEV_BASE		0xfe000000ull
#define TESTDEV_ID		0x544d564b	/* "KVMT" */
#define TESTDEV_ID_REG		0x00
#define TESTDEV_U8		0x08
#define TESTDEV_U16		0x10
#define TESTDEV_U32		0x18
#define TESTDEV_U64		0x20
#define TESTDEV_LAST_WIDTH	0x28

#endif /* KVMINI_TESTDEV_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hello.S - the seed guest: real mode, "Hello\n" written byte by byte to
 * the debug port 0xf1 with `out`, then `hlt`.  Every byte is one I/O exit.
 *
 * test: hello.bin => 0
 */
	.code16
	.text
	.globl	_start
_start:
	mov	$message, %si
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, $0xf1
	jmp	1b
2:	hlt

message:
	.asciz	"Hello\n"

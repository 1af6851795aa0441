// SPDX-License-Identifier: GPL-2.0
/* printf.c - a small printf for guests, to the debug console. */
#include "guest.h"

static void put(char c)
{
	outb(DEBUGCON_PORT, c);
}

static int put_number(unsigned long long v, int base, int negative)
{
	char buf[24];
	int n = 0, len;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		buf[n++] = '-';
	len = n;
	while (n)
		put(buf[--n]);
	return len;
}

int vprintf(const char *fmt, va_list ap)
{
	int n = 0, longs;
	const char *s;

	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(*fmt);
			n++;
			continue;
		}
		for (longs = 0; *++fmt == 'l'; )
			longs++;
		switch (*fmt) {
		case 'c':
			put(va_arg(ap, int));
			n++;
			break;
		case 's':
			for (s = va_arg(ap, const char *); *s; s++, n++)
				put(*s);
			break;
		case 'd': {
			long long v = longs > 1 ? va_arg(ap, long long) :
				      longs ? va_arg(ap, long) : va_arg(ap, int);

			n += put_number(v < 0 ? -v : v, 10, v < 0);
			break;
		}
		case 'u':
		case 'x':
			n += put_number(longs > 1 ? va_arg(ap, unsigned long long) :
					longs ? va_arg(ap, unsigned long) :
					va_arg(ap, unsigned int),
					*fmt == 'u' ? 10 : 16, 0);
			break;
		case 'p':
			put('0');
			put('x');
			n += 2 + put_number((uintptr_t)va_arg(ap, void *), 16, 0);
			break;
		default:
			put('%');
			put(*fmt);
			n += 2;
			break;
		}
	}
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void exit(int code)
{
	outl(DEBUG_EXIT_PORT, code);
	for (;;)
		asm volatile("cli; hlt");
}

#include "util/progress.h"
#include "util/escape.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double clm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void clm_progress_begin(struct clm_progress *p, const char *title, uint64_t total, int quiet)
{
	memset(p, 0, sizeof(*p));
	p->title = title;
	p->total = total;
	p->quiet = quiet;
	p->out = stderr;
	p->tty = !quiet && isatty(STDERR_FILENO);
	p->start = clm_now();
}

static void format_eta(char *buf, size_t n, double secs)
{
	if (secs < 0 || secs > 360000)
		snprintf(buf, n, "--:--");
	else if (secs >= 3600)
		snprintf(buf, n, "%d:%02d:%02d", (int)secs / 3600, ((int)secs / 60) % 60, (int)secs % 60);
	else
		snprintf(buf, n, "%02d:%02d", (int)secs / 60, (int)secs % 60);
}

static void draw(struct clm_progress *p, double now)
{
	char eta[32] = "";
	double elapsed = now - p->start;

	if (p->total) {
		int width = 24, filled = (int)(width * (double)p->done / (double)p->total);
		char bar[32];
		if (filled > width)
			filled = width;
		memset(bar, '#', (size_t)filled);
		memset(bar + filled, '.', (size_t)(width - filled));
		bar[width] = '\0';
		if (p->done)
			format_eta(eta, sizeof(eta),
				   elapsed * (double)(p->total - (p->done < p->total ? p->done : p->total)) /
					   (double)p->done);
		fprintf(p->out, "\r%s [%s] %llu/%llu%s%s%s%s%s%s\033[K", p->title, bar,
			(unsigned long long)p->done, (unsigned long long)p->total, p->unit ? " " : "",
			p->unit ? p->unit : "", p->detail[0] ? (p->unit ? ", " : " ") : "", p->detail,
			eta[0] ? " ETA " : "", eta);
	} else {
		fprintf(p->out, "\r%s %llu%s%s%s%s\033[K", p->title, (unsigned long long)p->done, p->unit ? " " : "",
			p->unit ? p->unit : "", p->detail[0] ? (p->unit ? ", " : " ") : "", p->detail);
	}
	fflush(p->out);
	p->last_draw = now;
}

void clm_progress_update(struct clm_progress *p, uint64_t done, const char *fmt, ...)
{
	double now;

	p->done = done;
	if (fmt) {
		char raw[sizeof(p->detail)];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		clm_escape_controls_to(raw, p->detail, sizeof(p->detail)); /* file names, task ids */
	}
	if (!p->tty)
		return;
	now = clm_now();
	if (now - p->last_draw >= 0.1 || (p->total && done >= p->total))
		draw(p, now);
}

void clm_progress_end(struct clm_progress *p)
{
	if (p->quiet)
		return;
	if (p->tty) {
		draw(p, clm_now());
		fputc('\n', p->out);
	} else {
		fprintf(p->out, "%s: %llu%s%s%s%s (%.1fs)\n", p->title, (unsigned long long)p->done,
			p->unit ? " " : "", p->unit ? p->unit : "", p->detail[0] ? (p->unit ? ", " : " ") : "",
			p->detail, clm_now() - p->start);
	}
	fflush(p->out);
}

void clm_progress_note(struct clm_progress *p, const char *fmt, ...)
{
	char raw[1024], text[1024];
	va_list ap;

	if (p && p->quiet)
		return;
	if (p && p->tty)
		fputs("\r\033[K", p->out);
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	clm_escape_controls_to(raw, text, sizeof(text));
	fprintf(p ? p->out : stderr, "%s\n", text);
}

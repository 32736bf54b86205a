/* SPDX-License-Identifier: Apache-2.0 */
/* rt_output.c - alerts as Falco prints them: the rule's output template rendered with the
 * event's values, Falco's text line ("<time>: <Priority> <output>") and Falco's JSON object
 * (keys in Falco's order: hostname, output, priority, rule, source, tags, time, then
 * output_fields with numbers as JSON numbers, time fields as epoch nanoseconds and missing
 * values as null). Where alerts go (stdout, files, programs, HTTP) is the daemon's business,
 * not this file's. */
#define _GNU_SOURCE
#include "runtime/rt_engine.h"
#include "runtime/rt_ctx.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *rt_alert_output(const struct rt_alert *a)
{
	struct rt_ctx *c = a->ctx;
	struct rt_sb b;
	rt_sb_init(&b, c);
	for (size_t i = 0; i < a->rule->nparts; i++) {
		const struct fc_output_part *p = &a->rule->parts[i];
		if (p->text) {
			rt_sb_add(&b, p->text, p->len);
			continue;
		}
		if (!p->field) {
			rt_sb_adds(&b, "<NA>");
			continue;
		}
		struct rt_value v;
		rt_extract(c, p->field, &v);
		rt_sb_adds(&b, rt_value_format(c, p->field, &v));
	}
	return b.s;
}

static const char *time_prefix(struct rt_ctx *c, uint64_t ts, enum rt_time_format tf)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char buf[64];
	if (tf == RT_TIME_LOCAL)
		localtime_r(&sec, &tm);
	else
		gmtime_r(&sec, &tm);
	strftime(buf, sizeof(buf), tf == RT_TIME_ISO8601 ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S", &tm);
	return rt_ctx_printf(c, "%s.%09" PRIu64 "%s", buf, (uint64_t)(ts % 1000000000ull),
	                     tf == RT_TIME_ISO8601 ? "+0000" : "");
}

static void json_str(FILE *out, const char *s, size_t len)
{
	fc_json_string_n(out, s, len);
}

static void json_cstr(FILE *out, const char *s)
{
	json_str(out, s, strlen(s));
}

/* One output field: its key as written, and the expression. */
struct ofield {
	const char *key;
	const struct fc_expr *e;
};

static int ofield_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ofield *)a)->key, ((const struct ofield *)b)->key);
}

/* The key Falco uses: the field as written in the template. The checker folds evt.arg.fd
 * into evt.arg with argument fd; the dotted form is the usual spelling, so it comes back. */
static const char *field_key(struct rt_ctx *c, const struct fc_expr *e)
{
	if (e->kind != FC_EXPR_FIELD)
		return e->xf.name;
	const struct fc_str *a = e->field.arg;
	if (!a)
		return e->field.name;
	bool digits = a->len > 0;
	for (size_t i = 0; i < a->len; i++)
		if (a->s[i] < '0' || a->s[i] > '9')
			digits = false;
	if (e->field.field && (e->field.field->flags & FC_F_DOTARG) && !digits)
		return rt_ctx_printf(c, "%s.%s", e->field.name, a->s);
	return rt_ctx_printf(c, "%s[%s]", e->field.name, a->s);
}

static bool is_time_field(const struct fc_expr *e)
{
	if (e->kind != FC_EXPR_FIELD || !e->field.field)
		return false;
	switch (e->field.field->id) {
	case FC_FIELD_EVT_TIME:
	case FC_FIELD_EVT_TIME_S:
	case FC_FIELD_EVT_TIME_ISO8601:
	case FC_FIELD_EVT_DATETIME:
	case FC_FIELD_EVT_DATETIME_S:
	case FC_FIELD_AUDIT_EVT_TIME:
	case FC_FIELD_AUDIT_EVT_TIME_S:
	case FC_FIELD_AUDIT_EVT_TIME_ISO8601:
	case FC_FIELD_AUDIT_EVT_DATETIME:
	case FC_FIELD_AUDIT_EVT_DATETIME_S:
		return true;
	default:
		return false;
	}
}

static void json_value(FILE *out, struct rt_ctx *c, const struct fc_expr *e,
                       const struct rt_value *v)
{
	if (is_time_field(e) && v->kind != RT_V_NA) {
		fprintf(out, "%" PRIu64, (uint64_t)c->ev->hdr->ts_ns);
		return;
	}
	switch (v->kind) {
	case RT_V_NA:
		/* libsinsp prints evt.arg's missing value as text */
		if (e->kind == FC_EXPR_FIELD && e->field.field &&
		    (e->field.field->id == FC_FIELD_EVT_ARG ||
		     e->field.field->id == FC_FIELD_EVT_RAWARG))
			fputs("\"<NA>\"", out);
		else
			fputs("null", out);
		break;
	case RT_V_U64:
		fprintf(out, "%" PRIu64, v->u);
		break;
	case RT_V_S64:
		fprintf(out, "%" PRId64, v->i);
		break;
	case RT_V_DOUBLE:
		fprintf(out, "%f", v->d);
		break;
	case RT_V_BOOL:
		fputs(v->b ? "true" : "false", out);
		break;
	case RT_V_LIST:
		if (v->list.n == 1 || (e->kind == FC_EXPR_FIELD && e->field.field &&
		                       !(e->field.field->flags & FC_F_LIST) && !e->field.arg &&
		                       (e->field.field->id == FC_FIELD_FD_PORT ||
		                        e->field.field->id == FC_FIELD_FD_PROTO))) {
			json_value(out, c, e, &v->list.items[0]);
			break;
		}
		json_cstr(out, rt_value_format(c, e, v)); /* lists print as their text */
		break;
	default:
		json_cstr(out, rt_value_format(c, e, v));
	}
}

void rt_alert_print(FILE *out, const struct rt_alert *a, enum rt_time_format tf, bool json,
                    const char *hostname)
{
	struct rt_ctx *c = a->ctx;
	const struct fc_rule *r = a->rule;
	const char *prio = fc_priority_name(r->priority);
	const char *tm = time_prefix(c, a->ts_ns, tf);
	const char *msg = rt_alert_output(a);
	if (!json) {
		fprintf(out, "%s: %s %s\n", tm, prio, msg);
		return;
	}
	if (!hostname)
		hostname = c->state ? rt_state_hostname(c->state) : NULL;
	fputs("{\"hostname\":", out);
	json_cstr(out, hostname ? hostname : "");
	fputs(",\"output\":", out);
	const char *line = rt_ctx_printf(c, "%s: %s %s", tm, prio, msg);
	json_cstr(out, line);
	fputs(",\"priority\":", out);
	json_cstr(out, prio);
	fputs(",\"rule\":", out);
	json_cstr(out, r->name);
	fputs(",\"source\":", out);
	json_cstr(out, r->source ? r->source : "syscall");
	fputs(",\"tags\":[", out);
	/* Falco keeps tags in a set: sorted, once each */
	const char **tags = rt_ctx_alloc(c, (r->ntags + 1) * sizeof(*tags));
	if (r->ntags)
		memcpy(tags, r->tags, r->ntags * sizeof(*tags));
	for (size_t i = 1; i < r->ntags; i++)
		for (size_t j = i; j > 0 && strcmp(tags[j - 1], tags[j]) > 0; j--) {
			const char *t = tags[j];
			tags[j] = tags[j - 1];
			tags[j - 1] = t;
		}
	for (size_t i = 0; i < r->ntags; i++) {
		if (i && strcmp(tags[i - 1], tags[i]) == 0)
			continue;
		if (i)
			fputc(',', out);
		json_cstr(out, tags[i]);
	}
	fputs("],\"time\":", out);
	time_t sec = (time_t)(a->ts_ns / 1000000000ull);
	struct tm g;
	gmtime_r(&sec, &g);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &g);
	json_cstr(out,
	          rt_ctx_printf(c, "%s.%09" PRIu64 "Z", buf, (uint64_t)(a->ts_ns % 1000000000ull)));

	/* output_fields: the time of the prefix and every template field, sorted, once each */
	struct ofield *of = rt_ctx_alloc(c, (r->nparts + 1) * sizeof(*of));
	size_t n = 0;
	struct fc_expr tloc = {.kind = FC_EXPR_FIELD, .type = FC_T_CHARBUF};
	tloc.field.name = tf == RT_TIME_ISO8601 ? "evt.time.iso8601" : "evt.time";
	tloc.field.field =
	    &fc_fields[tf == RT_TIME_ISO8601 ? FC_FIELD_EVT_TIME_ISO8601 : FC_FIELD_EVT_TIME];
	const struct fc_expr *te = &tloc;
	of[n++] = (struct ofield){te->field.name, te};
	for (size_t i = 0; i < r->nparts; i++)
		if (!r->parts[i].text && r->parts[i].field)
			of[n++] =
			    (struct ofield){field_key(c, r->parts[i].field), r->parts[i].field};
	qsort(of, n, sizeof(*of), ofield_cmp);
	fputs(", \"output_fields\": {", out);
	for (size_t i = 0; i < n; i++) {
		if (i && strcmp(of[i - 1].key, of[i].key) == 0)
			continue;
		if (i)
			fputc(',', out);
		json_cstr(out, of[i].key);
		fputc(':', out);
		struct rt_value v;
		if (of[i].e == te) {
			v.kind = RT_V_STR; /* any value: time fields print as epoch ns */
			v.str.s = "";
			v.str.len = 0;
		} else {
			rt_extract(c, of[i].e, &v);
		}
		json_value(out, c, of[i].e, &v);
	}
	fputs("}}\n", out);
}

void rt_alert_print_text(FILE *out, const struct rt_alert *a, bool utc)
{
	rt_alert_print(out, a, utc ? RT_TIME_UTC : RT_TIME_LOCAL, false, NULL);
}

void rt_alert_print_json(FILE *out, const struct rt_alert *a, const char *hostname)
{
	rt_alert_print(out, a, RT_TIME_LOCAL, true, hostname);
}

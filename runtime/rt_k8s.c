/* SPDX-License-Identifier: Apache-2.0 */
/* rt_k8s.c - the k8s_audit event source: reading Kubernetes audit events from a file as
 * Falco's k8saudit plugin does, and extracting the ka.* fields (the k8saudit plugin's) and the
 * json.* / jevt.* fields (the json plugin's) from them. JSON is json-c's: parsing, rendering
 * values as compact text, and RFC 6901 JSON pointers.
 *
 * Not here: which rules run on these events (rt_eval.c), the evt.* fields every source has
 * (rt_extract.c), outputs, and the configuration that opens the source (rt_main.c). Nothing
 * here prints: skipped input goes to the reader's warning callback. */
#define _GNU_SOURCE
#include "runtime/rt_k8s.h"
#include "runtime/rt_ctx.h"
#include "runtime/rt_engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#define RT_K8S_JSON_DEPTH 256 /* json-c's default (32) is too shallow for pod specs */

/* --- time ---------------------------------------------------------------------------------- */

static bool digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

/* "2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm)", the layout Go's time.RFC3339Nano parses. */
bool rt_k8s_parse_time(const char *s, uint64_t *ns)
{
	int Y, M, D, h, m, sec;
	if (strlen(s) < 20 || !digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) ||
	    s[7] != '-' || !digits(s + 8, 2, &D) || s[10] != 'T' || !digits(s + 11, 2, &h) ||
	    s[13] != ':' || !digits(s + 14, 2, &m) || s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] || h > 23 || m > 59 || sec > 59)
		return false;
	const char *p = s + 19;
	uint64_t frac = 0;
	if (*p == '.') {
		p++;
		int n = 0;
		while (*p >= '0' && *p <= '9') {
			if (n < 9)
				frac = frac * 10 + (uint64_t)(*p - '0');
			n++;
			p++;
		}
		if (n == 0)
			return false;
		for (; n < 9; n++)
			frac *= 10;
	}
	long off = 0;
	if (*p == 'Z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return false;
		off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return false;
	}
	if (*p)
		return false;
	struct tm tm = {.tm_year = Y - 1900,
	                .tm_mon = M - 1,
	                .tm_mday = D,
	                .tm_hour = h,
	                .tm_min = m,
	                .tm_sec = sec};
	int64_t t = (int64_t)timegm(&tm) - off;
	if (t < 0)
		return false;
	*ns = (uint64_t)t * 1000000000ull + frac;
	return true;
}

/* --- the reader ---------------------------------------------------------------------------- */

struct pending {
	struct json_object *o;
	uint64_t ts;
};

struct rt_k8s_reader {
	FILE *f;
	char *name;
	struct rt_k8s_options o;
	struct json_tokener *tok;
	char *buf;
	size_t cap;
	uint64_t line, nevents, nskipped;
	struct pending *q;
	size_t qn, qcap, qi;
	uint64_t qline; /* the line the queued events came from */
	struct rt_k8s_event cur;
	bool eof;
};

static void warnf(struct rt_k8s_reader *r, uint64_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void warnf(struct rt_k8s_reader *r, uint64_t line, const char *fmt, ...)
{
	r->nskipped++;
	if (!r->o.warn)
		return;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->o.warn(r->o.user, r->name, line, msg);
}

struct rt_k8s_reader *rt_k8s_reader_new(FILE *f, const char *name, const struct rt_k8s_options *o)
{
	struct rt_k8s_reader *r = calloc(1, sizeof(*r));
	if (!r)
		abort();
	r->f = f;
	r->name = strdup(name ? name : "-");
	if (o)
		r->o = *o;
	if (!r->o.max_event_size)
		r->o.max_event_size = RT_K8S_MAX_EVENT_SIZE;
	r->tok = json_tokener_new_ex(RT_K8S_JSON_DEPTH);
	if (!r->name || !r->tok)
		abort();
	json_tokener_set_flags(r->tok, JSON_TOKENER_STRICT);
	return r;
}

struct rt_k8s_reader *rt_k8s_reader_open(const char *path, const struct rt_k8s_options *o,
                                         char *err, size_t errlen)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: is a directory, not a file of audit events", path);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	return rt_k8s_reader_new(f, path, o);
}

static void queue_clear(struct rt_k8s_reader *r)
{
	for (size_t i = r->qi; i < r->qn; i++)
		json_object_put(r->q[i].o);
	r->qn = r->qi = 0;
}

void rt_k8s_reader_close(struct rt_k8s_reader *r)
{
	if (!r)
		return;
	queue_clear(r);
	json_object_put(r->cur.root);
	if (r->f && r->f != stdin)
		fclose(r->f);
	json_tokener_free(r->tok);
	free(r->q);
	free(r->buf);
	free(r->name);
	free(r);
}

void rt_k8s_reader_counts(const struct rt_k8s_reader *r, uint64_t *lines, uint64_t *events,
                          uint64_t *skipped)
{
	*lines = r->line;
	*events = r->nevents;
	*skipped = r->nskipped;
}

/* Reads one line into r->buf (without '\n' or a trailing '\r'). 1 and *len, 0 at the end,
 * -1 on a read error. A line longer than RT_K8S_MAX_LINE is consumed and reported as
 * *len == SIZE_MAX. */
static int read_line(struct rt_k8s_reader *r, size_t *len, char *err, size_t errlen)
{
	size_t n = 0;
	bool over = false;
	int ch;
	if (r->eof)
		return 0;
	while ((ch = getc_unlocked(r->f)) != EOF && ch != '\n') {
		if (over)
			continue;
		if (n + 2 > r->cap) {
			size_t cap = r->cap ? r->cap * 2 : 4096;
			char *b = realloc(r->buf, cap);
			if (!b)
				abort();
			r->buf = b;
			r->cap = cap;
		}
		r->buf[n++] = (char)ch;
		if (n > RT_K8S_MAX_LINE)
			over = true;
	}
	if (ch == EOF) {
		if (ferror(r->f)) {
			snprintf(err, errlen, "%s: line %" PRIu64 ": %s", r->name, r->line + 1,
			         strerror(errno ? errno : EIO));
			return -1;
		}
		r->eof = true;
		if (n == 0 && !over)
			return 0;
	}
	r->line++;
	if (over) {
		*len = SIZE_MAX;
		return 1;
	}
	if (n && r->buf[n - 1] == '\r')
		n--;
	if (!r->buf)
		return (*len = 0), 1;
	r->buf[n] = '\0';
	*len = n;
	return 1;
}

static const char *kind_of(struct json_object *v)
{
	struct json_object *k;
	if (!json_object_is_type(v, json_type_object) ||
	    !json_object_object_get_ex(v, "kind", &k) || !json_object_is_type(k, json_type_string))
		return NULL;
	return json_object_get_string(k);
}

static void queue_push(struct rt_k8s_reader *r, struct json_object *o)
{
	if (r->qn == r->qcap) {
		size_t cap = r->qcap ? r->qcap * 2 : 8;
		struct pending *q = realloc(r->q, cap * sizeof(*q));
		if (!q)
			abort();
		r->q = q;
		r->qcap = cap;
	}
	r->q[r->qn].o = json_object_get(o);
	r->q[r->qn].ts = 0;
	r->qn++;
}

/* The plugin's ParseAuditEventsJSON: an array of payloads, an EventList, an Event. Queues the
 * event objects; false when something is not one (the whole line is then dropped). */
static bool collect(struct rt_k8s_reader *r, struct json_object *v, int depth)
{
	if (json_object_is_type(v, json_type_array)) {
		size_t n = json_object_array_length(v);
		for (size_t i = 0; i < n; i++)
			if (!collect(r, json_object_array_get_idx(v, i), depth + 1))
				return false;
		return true;
	}
	const char *k = kind_of(v);
	if (k && strcmp(k, "EventList") == 0) {
		struct json_object *items;
		if (json_object_object_get_ex(v, "items", &items) &&
		    json_object_is_type(items, json_type_array)) {
			size_t n = json_object_array_length(items);
			for (size_t i = 0; i < n; i++)
				queue_push(r, json_object_array_get_idx(items, i));
			return true;
		}
	} else if (k && strcmp(k, "Event") == 0) {
		queue_push(r, v);
		return true;
	}
	return false;
}

static const char *compact(struct json_object *o, size_t *len)
{
	size_t n = 0;
	const char *s = json_object_to_json_string_length(
	    o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	*len = n;
	return s;
}

/* Checks a queued item as the plugin's parseSingleAuditEventJSON does; false (after a
 * warning) when it is skipped. */
static bool check_event(struct rt_k8s_reader *r, struct pending *p)
{
	struct json_object *st;
	if (!json_object_is_type(p->o, json_type_object) ||
	    !json_object_object_get_ex(p->o, "stageTimestamp", &st)) {
		warnf(r, r->qline, "can't read stageTimestamp; event skipped");
		return false;
	}
	const char *s = json_object_is_type(st, json_type_string) ? json_object_get_string(st) : "";
	if (!rt_k8s_parse_time(s, &p->ts)) {
		warnf(r, r->qline, "parsing time \"%.64s\": not an RFC 3339 time; event skipped",
		      s);
		return false;
	}
	size_t len;
	compact(p->o, &len);
	if (len > r->o.max_event_size) {
		warnf(r, r->qline, "event larger than maxEventSize: size=%zu; event skipped", len);
		return false;
	}
	return true;
}

int rt_k8s_reader_next(struct rt_k8s_reader *r, const struct rt_k8s_event **ev, char *err,
                       size_t errlen)
{
	json_object_put(r->cur.root);
	r->cur.root = NULL;
	for (;;) {
		while (r->qi < r->qn) {
			struct pending *p = &r->q[r->qi++];
			if (!check_event(r, p)) {
				json_object_put(p->o);
				continue;
			}
			struct rt_k8s_event *k = &r->cur;
			k->root = p->o;
			k->text = compact(p->o, &k->len);
			memset(&k->hdr, 0, sizeof(k->hdr));
			k->hdr.ts_ns = p->ts;
			k->hdr.len = sizeof(k->hdr);
			memset(&k->ev, 0, sizeof(k->ev));
			k->ev.hdr = &k->hdr;
			k->ev.num = ++r->nevents;
			k->ev.fdnum = -1;
			*ev = k;
			return 1;
		}
		r->qn = r->qi = 0;
		size_t len;
		int rc = read_line(r, &len, err, errlen);
		if (rc <= 0)
			return rc;
		r->qline = r->line;
		if (len == 0)
			continue; /* the plugin ignores empty lines */
		if (len == SIZE_MAX) {
			warnf(r, r->line, "line longer than %u bytes; skipped", RT_K8S_MAX_LINE);
			continue;
		}
		json_tokener_reset(r->tok);
		/* with the terminating NUL, so that a bare number or literal ends */
		struct json_object *v = json_tokener_parse_ex(r->tok, r->buf, (int)len + 1);
		enum json_tokener_error je = json_tokener_get_error(r->tok);
		if (je == json_tokener_continue) {
			warnf(r, r->line, "invalid JSON: unexpected end of line");
			continue;
		}
		if (je != json_tokener_success) {
			warnf(r, r->line, "invalid JSON at byte %zu: %s",
			      json_tokener_get_parse_end(r->tok) + 1, json_tokener_error_desc(je));
			continue;
		}
		size_t end = json_tokener_get_parse_end(r->tok);
		while (end < len && strchr(" \t\r", r->buf[end]))
			end++;
		if (end < len) {
			json_object_put(v);
			warnf(r, r->line,
			      "invalid JSON at byte %zu: unexpected data after the value", end + 1);
			continue;
		}
		bool ok = v && collect(r, v, 0);
		json_object_put(v); /* queued objects hold their own reference */
		if (!ok) {
			queue_clear(r);
			warnf(r, r->line, "data not recognized as a k8s audit event");
		}
	}
}

/* --- extraction helpers -------------------------------------------------------------------- */

/* The member at keys (NULL-terminated) from o, through objects only. found is false when some
 * key is missing; *out is NULL for a JSON null. */
static bool jget(struct json_object *o, struct json_object **out, ...)
{
	va_list ap;
	va_start(ap, out);
	const char *k;
	bool found = true;
	while ((k = va_arg(ap, const char *))) {
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, k, &o)) {
			found = false;
			break;
		}
	}
	va_end(ap);
	*out = found ? o : NULL;
	return found;
}

/* A value as the plugins give it: a string's content, anything else as compact JSON. */
static void jtext(struct json_object *v, const char **s, size_t *len)
{
	if (json_object_is_type(v, json_type_string)) {
		*s = json_object_get_string(v);
		*len = (size_t)json_object_get_string_len(v);
		return;
	}
	if (!v) {
		*s = "null";
		*len = 4;
		return;
	}
	*s = compact(v, len);
}

static int vjson(struct rt_value *out, struct json_object *v)
{
	const char *s;
	size_t len;
	jtext(v, &s, &len);
	return rt_vstr(out, s, len);
}

/* A list value built in the scratch arena. */
struct vlist {
	struct rt_ctx *c;
	struct rt_value *v;
	size_t n, cap;
};

static void vl_add(struct vlist *l, const char *s, size_t len)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct rt_value *v = rt_ctx_alloc(l->c, cap * sizeof(*v));
		if (l->n)
			memcpy(v, l->v, l->n * sizeof(*v));
		l->v = v;
		l->cap = cap;
	}
	rt_vstr(&l->v[l->n++], s, len);
}

static void vl_addj(struct vlist *l, struct json_object *v)
{
	const char *s;
	size_t len;
	jtext(v, &s, &len);
	vl_add(l, s, len);
}

/* A list with no value is <NA>, as libsinsp treats a plugin field that extracted nothing. */
static int vl_done(struct vlist *l, struct rt_value *out)
{
	if (!l->n)
		return rt_na(out);
	out->kind = RT_V_LIST;
	out->list.items = l->v;
	out->list.n = l->n;
	return 0;
}

/* The plugin's index argument: a number selects one item, anything else (or none) all. */
static long index_arg(const struct fc_expr *e)
{
	const struct fc_str *a = e->field.arg;
	if (!a || !a->len)
		return -1;
	char *end;
	errno = 0;
	long v = strtol(a->s, &end, 10);
	if (*end || errno || end == a->s)
		return -1;
	return v < 0 ? -2 : v; /* a negative index selects nothing */
}

/* requestObject.spec.<which>, the index filter applied: items [*lo, *hi). False: <NA>. */
static bool spec_array(struct json_object *root, const char *which, long idx,
                       struct json_object **arr, size_t *lo, size_t *hi)
{
	if (!jget(root, arr, "requestObject", "spec", which, NULL) ||
	    !json_object_is_type(*arr, json_type_array))
		return false;
	size_t n = json_object_array_length(*arr);
	if (idx == -1) {
		*lo = 0;
		*hi = n;
		return true;
	}
	if (idx < 0 || (size_t)idx >= n)
		return false;
	*lo = (size_t)idx;
	*hi = *lo + 1;
	return true;
}

/* The repository of an image, as the plugin cuts it: before the first ':' then the first '@'
 * (so "registry:5000/x:1" gives "registry"). */
static void image_repo(const char *s, size_t len, size_t *rlen)
{
	size_t n = 0;
	while (n < len && s[n] != ':')
		n++;
	size_t m = 0;
	while (m < n && s[m] != '@')
		m++;
	*rlen = m;
}

/* What to read from each container of a pod. */
enum ck {
	CK_NAME,
	CK_IMAGE,
	CK_IMAGE_REPO,
	CK_COMMAND,
	CK_ARGS,
	CK_PRIVILEGED,
	CK_APE,
	CK_ROFS,
	CK_RUN_AS_USER,
	CK_EFF_USER,
	CK_RUN_AS_GROUP,
	CK_EFF_GROUP,
	CK_PROC_MOUNT,
	CK_ADD_CAPS,
	CK_HOST_PORT,
};

static int containers_field(struct rt_ctx *c, struct json_object *root, const char *which,
                            enum ck what, long idx, struct rt_value *out)
{
	struct json_object *arr, *v;
	size_t lo, hi;
	if (!spec_array(root, which, idx, &arr, &lo, &hi))
		return rt_na(out);
	struct vlist l = {.c = c};
	const char *pod_default = "0";
	size_t pod_default_len = 1;
	if (what == CK_EFF_USER || what == CK_EFF_GROUP) {
		const char *k = what == CK_EFF_USER ? "runAsUser" : "runAsGroup";
		if (jget(root, &v, "requestObject", "spec", "securityContext", k, NULL))
			jtext(v, &pod_default, &pod_default_len);
	}
	for (size_t i = lo; i < hi; i++) {
		struct json_object *ct = json_object_array_get_idx(arr, i);
		switch (what) {
		case CK_NAME:
		case CK_IMAGE:
		case CK_IMAGE_REPO: {
			/* a container without the member makes the whole field <NA> */
			if (!jget(ct, &v, what == CK_NAME ? "name" : "image", NULL))
				return rt_na(out);
			const char *s;
			size_t len;
			jtext(v, &s, &len);
			if (what == CK_IMAGE_REPO)
				image_repo(s, len, &len);
			vl_add(&l, s, len);
			break;
		}
		case CK_COMMAND:
		case CK_ARGS:
		case CK_ADD_CAPS: {
			/* arrays of strings, flattened; containers without one add nothing */
			bool got =
			    what == CK_ADD_CAPS
			        ? jget(ct, &v, "securityContext", "capabilities", "add", NULL)
			        : jget(ct, &v, what == CK_COMMAND ? "command" : "args", NULL);
			if (!got)
				break;
			if (!json_object_is_type(v, json_type_array)) {
				vl_addj(&l, v);
				break;
			}
			for (size_t j = 0; j < json_object_array_length(v); j++)
				vl_addj(&l, json_object_array_get_idx(v, j));
			break;
		}
		case CK_PRIVILEGED:
			/* containers without the setting are left out (the plugin's SkipNil) */
			if (jget(ct, &v, "securityContext", "privileged", NULL))
				vl_addj(&l, v);
			break;
		case CK_APE:
		case CK_ROFS:
		case CK_RUN_AS_USER:
		case CK_RUN_AS_GROUP:
		case CK_PROC_MOUNT: {
			static const char *const key[] = {
			    [CK_APE] = "allowPrivilegeEscalation",
			    [CK_ROFS] = "readOnlyRootFilesystem",
			    [CK_RUN_AS_USER] = "runAsUser",
			    [CK_RUN_AS_GROUP] = "runAsGroup",
			    [CK_PROC_MOUNT] = "procMount",
			};
			/* one container without the setting makes the field <NA>, as in the
			 * plugin */
			if (!jget(ct, &v, "securityContext", key[what], NULL))
				return rt_na(out);
			vl_addj(&l, v);
			break;
		}
		case CK_EFF_USER:
		case CK_EFF_GROUP:
			if (jget(ct, &v, "securityContext",
			         what == CK_EFF_USER ? "runAsUser" : "runAsGroup", NULL))
				vl_addj(&l, v);
			else
				vl_add(&l, pod_default, pod_default_len);
			break;
		case CK_HOST_PORT: {
			struct json_object *ports;
			if (!jget(ct, &ports, "ports", NULL) ||
			    !json_object_is_type(ports, json_type_array))
				break;
			for (size_t j = 0; j < json_object_array_length(ports); j++) {
				struct json_object *p = json_object_array_get_idx(ports, j);
				/* with hostNetwork, the container port is the host's */
				if (jget(p, &v, "hostPort", NULL) ||
				    jget(p, &v, "containerPort", NULL))
					vl_addj(&l, v);
			}
			break;
		}
		}
	}
	return vl_done(&l, out);
}

/* requestObject.spec.volumes[*].<a>.<b>, volumes without it left out. */
static int volumes_field(struct rt_ctx *c, struct json_object *root, long idx, const char *a,
                         const char *b, struct rt_value *out)
{
	struct json_object *arr, *v;
	size_t lo, hi;
	if (!spec_array(root, "volumes", idx, &arr, &lo, &hi))
		return rt_na(out);
	struct vlist l = {.c = c};
	for (size_t i = lo; i < hi; i++) {
		struct json_object *vol = json_object_array_get_idx(arr, i);
		if (!a) {
			/* volume_type: every member of the volume but its name */
			if (!json_object_is_type(vol, json_type_object))
				return rt_na(out);
			json_object_object_foreach(vol, key, val)
			{
				(void)val;
				if (strcmp(key, "name") != 0)
					vl_add(&l, key, strlen(key));
			}
			continue;
		}
		if (jget(vol, &v, a, b, NULL))
			vl_addj(&l, v);
	}
	return vl_done(&l, out);
}

/* The items [*lo, *hi) of an array of n that a field's index selects: all of them for -1,
 * else the one at idx; false when idx is outside the array. */
static bool index_range(size_t n, long idx, size_t *lo, size_t *hi)
{
	if (idx == -1) {
		*lo = 0;
		*hi = n;
		return true;
	}
	if (idx < 0 || (size_t)idx >= n)
		return false;
	*lo = (size_t)idx;
	*hi = *lo + 1;
	return true;
}

/* A member holding an array: every item as text. <NA> when missing or not an array. */
static int array_field(struct rt_ctx *c, struct json_object *arr, long idx, struct rt_value *out)
{
	if (!json_object_is_type(arr, json_type_array))
		return rt_na(out);
	size_t lo, hi;
	if (!index_range(json_object_array_length(arr), idx, &lo, &hi))
		return rt_na(out);
	struct vlist l = {.c = c};
	for (size_t i = lo; i < hi; i++)
		vl_addj(&l, json_object_array_get_idx(arr, i));
	return vl_done(&l, out);
}

/* requestObject.rules[*].<key>[*], flattened. */
static int rules_field(struct rt_ctx *c, struct json_object *root, long idx, const char *key,
                       struct rt_value *out)
{
	struct json_object *arr, *v;
	if (!jget(root, &arr, "requestObject", "rules", NULL) ||
	    !json_object_is_type(arr, json_type_array))
		return rt_na(out);
	size_t lo, hi;
	if (!index_range(json_object_array_length(arr), idx, &lo, &hi))
		return rt_na(out);
	struct vlist l = {.c = c};
	for (size_t i = lo; i < hi; i++)
		if (jget(json_object_array_get_idx(arr, i), &v, key, NULL) &&
		    json_object_is_type(v, json_type_array))
			for (size_t j = 0; j < json_object_array_length(v); j++) {
				struct json_object *it = json_object_array_get_idx(v, j);
				if (it)
					vl_addj(&l, it);
			}
	/* the plugin sets an empty list here rather than failing */
	return vl_done(&l, out);
}

/* requestObject.subjects of kind k: their names, or namespace:name. */
static int subjects_field(struct rt_ctx *c, struct json_object *root, const char *k, bool ns,
                          struct rt_value *out)
{
	struct json_object *arr, *v;
	if (!jget(root, &arr, "requestObject", "subjects", NULL) ||
	    !json_object_is_type(arr, json_type_array))
		return rt_na(out);
	struct vlist l = {.c = c};
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);
		if (!jget(s, &v, "kind", NULL) || !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), k) != 0 || !jget(s, &v, "name", NULL))
			continue;
		const char *name;
		size_t len;
		jtext(v, &name, &len);
		if (ns) {
			const char *nsn = "";
			size_t nsl = 0;
			if (jget(s, &v, "namespace", NULL))
				jtext(v, &nsn, &nsl);
			char *t = rt_ctx_printf(c, "%.*s:%.*s", (int)nsl, nsn, (int)len, name);
			vl_add(&l, t, strlen(t));
		} else {
			vl_add(&l, name, len);
		}
	}
	return vl_done(&l, out);
}

/* Decodes a query component as Go's url.QueryUnescape: '+' is a space, %XX a byte. False on
 * a bad escape. */
static bool query_unescape(struct rt_ctx *c, const char *s, size_t len, const char **out,
                           size_t *olen)
{
	char *d = rt_ctx_alloc(c, len + 1);
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '+') {
			d[n++] = ' ';
		} else if (s[i] == '%') {
			if (i + 2 >= len)
				return false;
			int hi = rt_hex_digit(s[i + 1]), lo = rt_hex_digit(s[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			d[n++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			d[n++] = s[i];
		}
	}
	d[n] = '\0';
	*out = d;
	*olen = n;
	return true;
}

/* ka.uri.param[key]: the first value of the query parameter key of requestURI. */
static int uri_param(struct rt_ctx *c, struct json_object *root, const struct fc_str *key,
                     struct rt_value *out)
{
	struct json_object *v;
	if (!key || !key->len || !jget(root, &v, "requestURI", NULL) ||
	    !json_object_is_type(v, json_type_string))
		return rt_na(out);
	const char *uri = json_object_get_string(v);
	const char *q = strchr(uri, '?');
	if (!q)
		return rt_na(out);
	q++;
	size_t qlen = strcspn(q, "#");
	while (qlen) {
		size_t plen = 0;
		while (plen < qlen && q[plen] != '&')
			plen++;
		size_t klen = 0;
		while (klen < plen && q[klen] != '=')
			klen++;
		const char *k, *val;
		size_t kl, vl;
		if (plen && query_unescape(c, q, klen, &k, &kl) && kl == key->len &&
		    memcmp(k, key->s, kl) == 0) {
			if (klen == plen)
				return rt_vstr(out, "", 0);
			if (query_unescape(c, q + klen + 1, plen - klen - 1, &val, &vl))
				return rt_vstr(out, val, vl);
		}
		q += plen;
		qlen -= plen;
		if (qlen) {
			q++;
			qlen--;
		}
	}
	return rt_na(out);
}

/* json.obj: the event indented as Go's json.Indent(data, "", "  ") prints it. */
static int indented(struct rt_ctx *c, const struct rt_k8s_event *k, struct rt_value *out)
{
	struct rt_sb b;
	rt_sb_init(&b, c);
	const char *s = k->text;
	size_t n = k->len;
	int depth = 0;
	bool str = false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (str) {
			rt_sb_addc(&b, ch);
			if (ch == '\\' && i + 1 < n)
				rt_sb_addc(&b, s[++i]);
			else if (ch == '"')
				str = false;
			continue;
		}
		switch (ch) {
		case '"':
			str = true;
			rt_sb_addc(&b, ch);
			break;
		case '{':
		case '[':
			rt_sb_addc(&b, ch);
			if (i + 1 < n && (s[i + 1] == '}' || s[i + 1] == ']')) {
				rt_sb_addc(&b, s[++i]); /* empty: stays "{}" */
				break;
			}
			depth++;
			rt_sb_addc(&b, '\n');
			for (int d = 0; d < depth; d++)
				rt_sb_adds(&b, "  ");
			break;
		case '}':
		case ']':
			depth--;
			rt_sb_addc(&b, '\n');
			for (int d = 0; d < depth; d++)
				rt_sb_adds(&b, "  ");
			rt_sb_addc(&b, ch);
			break;
		case ',':
			rt_sb_addc(&b, ch);
			rt_sb_addc(&b, '\n');
			for (int d = 0; d < depth; d++)
				rt_sb_adds(&b, "  ");
			break;
		case ':':
			rt_sb_adds(&b, ": ");
			break;
		default:
			rt_sb_addc(&b, ch);
		}
	}
	return rt_vstr(out, b.s, b.len);
}

/* json.value[ptr]: the value at an RFC 6901 pointer (the leading '/' may be left out, as the
 * json plugin allows). */
static int json_value(struct rt_ctx *c, const struct rt_k8s_event *k, const struct fc_str *a,
                      struct rt_value *out)
{
	if (!a || !a->len)
		return rt_na(out);
	const char *ptr = a->s;
	if (ptr[0] != '/')
		ptr = rt_ctx_printf(c, "/%s", a->s);
	struct json_object *v = NULL;
	if (json_pointer_get(k->root, ptr, &v) != 0)
		return rt_na(out);
	return vjson(out, v);
}

/* --- the fields ---------------------------------------------------------------------------- */

static int annotation(struct json_object *root, const char *key, struct rt_value *out)
{
	struct json_object *v;
	return jget(root, &v, "annotations", key, NULL) ? vjson(out, v) : rt_na(out);
}

static int member(struct rt_value *out, struct json_object *root, ...) __attribute__((sentinel));

/* A member by path (NULL-terminated keys): its text, or <NA>. */
static int member(struct rt_value *out, struct json_object *root, ...)
{
	va_list ap;
	va_start(ap, root);
	const char *key;
	struct json_object *o = root;
	while ((key = va_arg(ap, const char *))) {
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o)) {
			va_end(ap);
			return rt_na(out);
		}
	}
	va_end(ap);
	return vjson(out, o);
}

/* A member that must hold an array (the plugin's list fields): every item as text. */
static int list_member(struct rt_ctx *c, struct rt_value *out, struct json_object *root,
                       const char *a, const char *b)
{
	struct json_object *v;
	if (!jget(root, &v, a, b, NULL))
		return rt_na(out);
	return array_field(c, v, -1, out);
}

#define CONTAINER_FIELDS(X, P, W)                                                                  \
	X(P##_NAME, W, CK_NAME)                                                                    \
	X(P##_IMAGE, W, CK_IMAGE)                                                                  \
	X(P##_IMAGE_REPOSITORY, W, CK_IMAGE_REPO)                                                  \
	X(P##_COMMAND, W, CK_COMMAND)                                                              \
	X(P##_ARGS, W, CK_ARGS)                                                                    \
	X(P##_PRIVILEGED, W, CK_PRIVILEGED)                                                        \
	X(P##_ALLOW_PRIVILEGE_ESCALATION, W, CK_APE)                                               \
	X(P##_READ_ONLY_FS, W, CK_ROFS)                                                            \
	X(P##_RUN_AS_USER, W, CK_RUN_AS_USER)                                                      \
	X(P##_EFF_RUN_AS_USER, W, CK_EFF_USER)                                                     \
	X(P##_RUN_AS_GROUP, W, CK_RUN_AS_GROUP)                                                    \
	X(P##_EFF_RUN_AS_GROUP, W, CK_EFF_GROUP)                                                   \
	X(P##_PROC_MOUNT, W, CK_PROC_MOUNT)                                                        \
	X(P##_ADD_CAPABILITIES, W, CK_ADD_CAPS)                                                    \
	X(P##_HOST_PORT, W, CK_HOST_PORT)

int rt_k8s_extract(struct rt_ctx *c, const struct rt_k8s_event *k, const struct fc_expr *e,
                   struct rt_value *out)
{
	const struct fc_field *f = e->kind == FC_EXPR_FIELD ? e->field.field : NULL;
	if (!k || !k->root || !f)
		return rt_na(out);
	struct json_object *r = k->root, *v;
	const struct fc_str *arg = e->field.arg;
	long idx = index_arg(e);
	switch (f->id) {
#define X(ID, W, CK)                                                                               \
	case FC_FIELD_KA_REQ_POD_##ID:                                                             \
		return containers_field(c, r, W, CK, idx, out);
		CONTAINER_FIELDS(X, CONTAINERS, "containers")
		CONTAINER_FIELDS(X, INITCONTAINERS, "initContainers")
		CONTAINER_FIELDS(X, EPHEMERALCONTAINERS, "ephemeralContainers")
#undef X
	case FC_FIELD_KA_AUDITID:
		return member(out, r, "auditID", NULL);
	case FC_FIELD_KA_STAGE:
		return member(out, r, "stage", NULL);
	case FC_FIELD_KA_AUTH_DECISION:
		return annotation(r, "authorization.k8s.io/decision", out);
	case FC_FIELD_KA_AUTH_REASON:
		return annotation(r, "authorization.k8s.io/reason", out);
	case FC_FIELD_KA_AUTH_OPENSHIFT_DECISION:
		return annotation(r, "authentication.openshift.io/decision", out);
	case FC_FIELD_KA_AUTH_OPENSHIFT_USERNAME:
		return annotation(r, "authentication.openshift.io/username", out);
	case FC_FIELD_KA_VALIDATIONS_ADMISSION_POLICY_FAILURE:
		return annotation(r, "validation.policy.admission.k8s.io/validation_failure", out);
	case FC_FIELD_KA_SECURITY_POD_VIOLATIONS:
		return annotation(r, "pod-security.kubernetes.io/audit-violations", out);
	case FC_FIELD_KA_USER_NAME:
		return member(out, r, "user", "username", NULL);
	case FC_FIELD_KA_USER_GROUPS:
		return list_member(c, out, r, "user", "groups");
	case FC_FIELD_KA_IMPUSER_NAME:
		return member(out, r, "impersonatedUser", "username", NULL);
	case FC_FIELD_KA_VERB:
		return member(out, r, "verb", NULL);
	case FC_FIELD_KA_URI:
		return member(out, r, "requestURI", NULL);
	case FC_FIELD_KA_URI_PARAM:
		return uri_param(c, r, arg, out);
	case FC_FIELD_KA_TARGET_NAME:
	case FC_FIELD_KA_REQ_CONFIGMAP_NAME:
		return member(out, r, "objectRef", "name", NULL);
	case FC_FIELD_KA_TARGET_NAMESPACE:
		return member(out, r, "objectRef", "namespace", NULL);
	case FC_FIELD_KA_TARGET_RESOURCE:
		return member(out, r, "objectRef", "resource", NULL);
	case FC_FIELD_KA_TARGET_SUBRESOURCE:
		return member(out, r, "objectRef", "subresource", NULL);
	case FC_FIELD_KA_TARGET_POD_NAME:
		if (!jget(r, &v, "objectRef", "resource", NULL) ||
		    !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), "pods") != 0)
			return rt_na(out);
		return member(out, r, "objectRef", "name", NULL);
	case FC_FIELD_KA_REQ_BINDING_SUBJECTS:
		return list_member(c, out, jget(r, &v, "requestObject", NULL) ? v : NULL,
		                   "subjects", NULL);
	case FC_FIELD_KA_REQ_BINDING_SUBJECTS_USER_NAMES:
		return subjects_field(c, r, "User", false, out);
	case FC_FIELD_KA_REQ_BINDING_SUBJECTS_SERVICEACCOUNT_NAMES:
		return subjects_field(c, r, "ServiceAccount", false, out);
	case FC_FIELD_KA_REQ_BINDING_SUBJECTS_SERVICEACCOUNT_NS_NAMES:
		return subjects_field(c, r, "ServiceAccount", true, out);
	case FC_FIELD_KA_REQ_BINDING_SUBJECTS_GROUP_NAMES:
		return subjects_field(c, r, "Group", false, out);
	case FC_FIELD_KA_REQ_BINDING_ROLE:
		return member(out, r, "requestObject", "roleRef", "name", NULL);
	case FC_FIELD_KA_REQ_BINDING_SUBJECT_HAS_NAME:
		/* deprecated: the plugin answers "true" for any key, as the original k8s audit
		 * support did */
		return arg && arg->len ? rt_vstr(out, "true", 4) : rt_na(out);
	case FC_FIELD_KA_REQ_CONFIGMAP_OBJ:
		return member(out, r, "requestObject", "data", NULL);
	case FC_FIELD_KA_REQ_CONTAINER_IMAGE:
	case FC_FIELD_KA_REQ_CONTAINER_IMAGE_REPOSITORY: {
		struct rt_value l;
		bool repo = f->id == FC_FIELD_KA_REQ_CONTAINER_IMAGE_REPOSITORY;
		if (containers_field(c, r, "containers", repo ? CK_IMAGE_REPO : CK_IMAGE, 0, &l))
			return rt_na(out);
		*out = l.list.items[0];
		return 0;
	}
	case FC_FIELD_KA_REQ_POD_HOST_IPC:
		return member(out, r, "requestObject", "spec", "hostIPC", NULL);
	case FC_FIELD_KA_REQ_POD_HOST_NETWORK:
	case FC_FIELD_KA_REQ_CONTAINER_HOST_NETWORK:
		return member(out, r, "requestObject", "spec", "hostNetwork", NULL);
	case FC_FIELD_KA_REQ_POD_HOST_PID:
		return member(out, r, "requestObject", "spec", "hostPID", NULL);
	case FC_FIELD_KA_REQ_CONTAINER_PRIVILEGED: {
		struct json_object *arr;
		size_t lo, hi;
		if (!spec_array(r, "containers", -1, &arr, &lo, &hi))
			return rt_na(out);
		for (size_t i = lo; i < hi; i++)
			if (jget(json_object_array_get_idx(arr, i), &v, "securityContext",
			         "privileged", NULL) &&
			    json_object_is_type(v, json_type_boolean) && json_object_get_boolean(v))
				return rt_vstr(out, "true", 4);
		return rt_vstr(out, "false", 5);
	}
	case FC_FIELD_KA_REQ_POD_RUN_AS_USER:
		return member(out, r, "requestObject", "spec", "securityContext", "runAsUser",
		              NULL);
	case FC_FIELD_KA_REQ_POD_RUN_AS_GROUP:
		return member(out, r, "requestObject", "spec", "securityContext", "runAsGroup",
		              NULL);
	case FC_FIELD_KA_REQ_POD_FS_GROUP:
		return member(out, r, "requestObject", "spec", "securityContext", "fsGroup", NULL);
	case FC_FIELD_KA_REQ_POD_SUPPLEMENTAL_GROUPS:
		if (!jget(r, &v, "requestObject", "spec", "securityContext", "supplementalGroups",
		          NULL))
			return rt_na(out);
		return array_field(c, v, -1, out);
	case FC_FIELD_KA_REQ_ROLE_RULES:
		return list_member(c, out, jget(r, &v, "requestObject", NULL) ? v : NULL, "rules",
		                   NULL);
	case FC_FIELD_KA_REQ_ROLE_RULES_APIGROUPS:
		return rules_field(c, r, idx, "apiGroups", out);
	case FC_FIELD_KA_REQ_ROLE_RULES_NONRESOURCEURLS:
		return rules_field(c, r, idx, "nonResourceURLs", out);
	case FC_FIELD_KA_REQ_ROLE_RULES_VERBS:
		return rules_field(c, r, idx, "verbs", out);
	case FC_FIELD_KA_REQ_ROLE_RULES_RESOURCES:
		return rules_field(c, r, idx, "resources", out);
	case FC_FIELD_KA_REQ_SERVICE_TYPE:
		return member(out, r, "requestObject", "spec", "type", NULL);
	case FC_FIELD_KA_REQ_SERVICE_PORTS:
		if (!jget(r, &v, "requestObject", "spec", "ports", NULL))
			return rt_na(out);
		return array_field(c, v, idx, out);
	case FC_FIELD_KA_REQ_POD_VOLUMES_HOSTPATH:
		return volumes_field(c, r, idx, "hostPath", "path", out);
	case FC_FIELD_KA_REQ_POD_VOLUMES_FLEXVOLUME_DRIVER:
		return volumes_field(c, r, idx, "flexVolume", "driver", out);
	case FC_FIELD_KA_REQ_POD_VOLUMES_VOLUME_TYPE:
		return volumes_field(c, r, idx, NULL, NULL, out);
	case FC_FIELD_KA_REQ_VOLUME_HOSTPATH: {
		/* "true" when a hostPath volume has the path; a key ending in '*' is a prefix */
		struct rt_value l;
		if (!arg || !arg->len)
			return rt_na(out);
		if (volumes_field(c, r, -1, "hostPath", "path", &l) != 0) {
			struct json_object *arr;
			size_t lo, hi;
			if (!spec_array(r, "volumes", -1, &arr, &lo, &hi))
				return rt_na(out);
			return rt_vstr(out, "false", 5);
		}
		bool prefix = arg->s[arg->len - 1] == '*';
		size_t kl = prefix ? arg->len - 1 : arg->len;
		for (size_t i = 0; i < l.list.n; i++) {
			const struct rt_value *it = &l.list.items[i];
			if (prefix ? it->str.len >= kl && memcmp(it->str.s, arg->s, kl) == 0
			           : it->str.len == kl && memcmp(it->str.s, arg->s, kl) == 0)
				return rt_vstr(out, "true", 4);
		}
		return rt_vstr(out, "false", 5);
	}
	case FC_FIELD_KA_RESP_NAME:
		return member(out, r, "responseObject", "metadata", "name", NULL);
	case FC_FIELD_KA_RESPONSE_CODE:
		return member(out, r, "responseStatus", "code", NULL);
	case FC_FIELD_KA_RESPONSE_REASON:
		return member(out, r, "responseStatus", "reason", NULL);
	case FC_FIELD_KA_USERAGENT:
		return member(out, r, "userAgent", NULL);
	case FC_FIELD_KA_SOURCEIPS:
		if (!jget(r, &v, "sourceIPs", NULL))
			return rt_na(out);
		return array_field(c, v, idx, out);
	case FC_FIELD_KA_CLUSTER_NAME:
		return rt_na(out); /* the plugin knows it only when configured with it */
	case FC_FIELD_JEVT_VALUE:
	case FC_FIELD_JSON_VALUE:
		return json_value(c, k, arg, out);
	case FC_FIELD_JEVT_OBJ:
	case FC_FIELD_JSON_OBJ:
		return indented(c, k, out);
	case FC_FIELD_JEVT_RAWTIME:
	case FC_FIELD_JSON_RAWTIME: {
		char *s = rt_ctx_printf(c, "%" PRIu64, (uint64_t)k->hdr.ts_ns);
		return rt_vstr(out, s, strlen(s));
	}
	default:
		return rt_na(out);
	}
}

/*
 * audit_would_grant.c - the "what would grant it" part of `pdp explain`
 * for a denied request (docs/audit.md): the library's report
 * (pdp_audit_what_would_grant) as text below the decision, and as the
 * `would_grant` member of explain --json (schemas/explain.schema.json).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/audit_out.h"
#include "cli/json_out.h"
#include "cli/would_grant_out.h"

static const char *outcome_name(pdp_audit_grant_outcome o)
{
	static const char *const N[] = {"permitted", "can-grant", "cannot-grant",
	                                "no-candidate", "refused"};
	return (unsigned)o < 5 ? N[o] : "?";
}

static const char *status_word(pdp_audit_grant_status s)
{
	return s == PDP_AUDIT_GRANTS    ? "grants"
	       : s == PDP_AUDIT_BLOCKED ? "blocked"
	                                : "unresolved";
}

/* An RFC 3339 UTC time, with the fraction when there is one. */
static void time_text(dstr *d, pdp_time t)
{
	time_t sec = (time_t)t.sec;
	struct tm tm;
	char buf[64];
	if (gmtime_r(&sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
		ds_printf(d, "%lld", (long long)t.sec);
		return;
	}
	ds_puts(d, buf);
	if (t.nsec != 0)
		ds_printf(d, ".%09d", (int)t.nsec);
	ds_puts(d, "Z");
}

static void ip_text(dstr *d, const pdp_ip *ip)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char buf[64];
	if (memcmp(ip->b, mapped, 12) == 0)
		inet_ntop(AF_INET, ip->b + 12, buf, sizeof(buf));
	else
		inet_ntop(AF_INET6, ip->b, buf, sizeof(buf));
	ds_puts(d, buf);
}

/* A string as the policy would write it: plain when it is a simple word,
 * else double-quoted with JSON escapes. */
static void str_text(dstr *d, pdp_str s)
{
	bool plain = s.len > 0 && ((s.ptr[0] >= 'A' && s.ptr[0] <= 'Z') ||
	                           (s.ptr[0] >= 'a' && s.ptr[0] <= 'z'));
	for (size_t i = 0; i < s.len && plain; i++) {
		char c = s.ptr[i];
		plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
	}
	static const char *const WORDS[] = {"true", "false", "yes", "no", "on",
	                                    "off", "null", "y", "n"};
	for (size_t i = 0; i < sizeof(WORDS) / sizeof(WORDS[0]) && plain; i++)
		plain = !(strlen(WORDS[i]) == s.len &&
		          strncasecmp(WORDS[i], s.ptr, s.len) == 0);
	if (plain) {
		ds_str(d, s);
		return;
	}
	ds_puts(d, "\"");
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];
		if (c == '"' || c == '\\')
			ds_printf(d, "\\%c", c);
		else if (c < 0x20)
			ds_printf(d, "\\u%04x", c);
		else
			ds_putn(d, (const char *)&c, 1);
	}
	ds_puts(d, "\"");
}

static void value_text(dstr *d, const pdp_value *v)
{
	switch (v->type) {
	case PDP_TYPE_INT: ds_printf(d, "%lld", (long long)v->u.i); break;
	case PDP_TYPE_STRING: str_text(d, v->u.s); break;
	case PDP_TYPE_BOOL: ds_puts(d, v->u.b ? "true" : "false"); break;
	case PDP_TYPE_IP: ip_text(d, &v->u.ip); break;
	case PDP_TYPE_TIME: time_text(d, v->u.t); break;
	case PDP_TYPE_SET:
		ds_puts(d, "[");
		for (size_t i = 0; i < v->u.set.count; i++) {
			if (i)
				ds_puts(d, ", ");
			str_text(d, v->u.set.items[i]);
		}
		ds_puts(d, "]");
		break;
	default: ds_puts(d, "?"); break;
	}
}

/* "roles: [a, b]", "env.time: 2026-...", "originator.x: absent". */
static char *change_text(const pdp_image *img, const pdp_audit_change *c)
{
	dstr d = {0};
	switch (c->kind) {
	case PDP_AUDIT_SET_ROLES:
		ds_puts(&d, "roles: [");
		for (size_t i = 0; i < c->n_roles; i++) {
			if (i)
				ds_puts(&d, ", ");
			ds_str(&d, pdp_audit_role_name(img, c->roles[i]));
		}
		ds_puts(&d, "]");
		break;
	case PDP_AUDIT_SET_AUTHENTICATED:
		ds_puts(&d, c->value.u.b ? "authenticated: true"
		                         : "authenticated: false");
		break;
	case PDP_AUDIT_SET_LOCATION:
		ds_printf(&d, "env.location: {lat: %.15g, lon: %.15g}", c->lat, c->lon);
		break;
	case PDP_AUDIT_SET_ATTR:
	case PDP_AUDIT_DROP_ATTR:
		ds_str(&d, pdp_attr_name(img, c->attr));
		ds_puts(&d, ": ");
		if (c->kind == PDP_AUDIT_DROP_ATTR)
			ds_puts(&d, "absent");
		else
			value_text(&d, &c->value);
		break;
	}
	return ds_take(&d);
}

static pdp_audit_grant_report *report_of(const pdp_image *img,
                                         pdp_scratch *scratch,
                                         const pdp_request *req)
{
	pdp_audit_grant_report *r = NULL;
	pdp_error err;
	if (pdp_audit_what_would_grant(img, scratch, req, &r, &err) != PDP_OK) {
		fprintf(stderr, "pdp explain: what would grant: %s\n", err.message);
		return NULL;
	}
	return r;
}

void would_grant_text(FILE *out, const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req)
{
	pdp_audit_grant_report *r = report_of(img, scratch, req);
	if (r == NULL || r->outcome == PDP_AUDIT_PERMITTED) {
		pdp_audit_grant_report_free(r);
		return;
	}
	switch (r->outcome) {
	case PDP_AUDIT_REFUSED:
		fprintf(out, "what would grant it: nothing, until the request "
		             "itself is fixed (%s)\n",
		        pdp_reason_name(r->decision.reason));
		break;
	case PDP_AUDIT_NO_CANDIDATE:
		fputs("what would grant it: nothing: no permit rule of these ACPs "
		      "can apply to this originator, operation and target\n",
		      out);
		break;
	case PDP_AUDIT_CANNOT_GRANT:
		fputs("what would grant it: no change found; the rules that could "
		      "apply:\n", out);
		break;
	default:
		fputs("what would grant it (smallest change first):\n", out);
		break;
	}
	for (size_t i = 0; i < r->n_candidates; i++) {
		const pdp_audit_candidate *c = &r->candidates[i];
		char *tok = rule_token(img, c->rule, true);
		fprintf(out, "  %s: ", tok);
		free(tok);
		if (c->status == PDP_AUDIT_GRANTS)
			fprintf(out, "grants with %zu change%s\n", c->n_changes,
			        c->n_changes == 1 ? "" : "s");
		else if (c->status == PDP_AUDIT_BLOCKED)
			fputs("blocked: deny rules would still apply\n", out);
		else
			fputs("unresolved: no value found for some condition\n", out);
		for (size_t k = 0; k < c->n_unmet; k++)
			fprintf(out, "    unmet:   %.*s\n", (int)c->unmet[k].len,
			        c->unmet[k].ptr);
		for (size_t k = 0; k < c->n_changes; k++) {
			char *t = change_text(img, &c->changes[k]);
			fprintf(out, "    change:  %s\n", t);
			free(t);
		}
		for (size_t k = 0; k < c->n_cleared; k++) {
			char *t = rule_token(img, c->cleared[k], true);
			fprintf(out, "    clears:  %s\n", t);
			free(t);
		}
		for (size_t k = 0; k < c->n_blockers; k++) {
			char *t = rule_token(img, c->blockers[k], true);
			fprintf(out, "    denied:  %s\n", t);
			free(t);
		}
	}
	pdp_audit_grant_report_free(r);
}

static void value_json(json_out *j, const pdp_value *v)
{
	dstr d = {0};
	switch (v->type) {
	case PDP_TYPE_INT: json_int(j, v->u.i); break;
	case PDP_TYPE_BOOL: json_bool(j, v->u.b); break;
	case PDP_TYPE_STRING: json_strn(j, v->u.s.ptr ? v->u.s.ptr : "", v->u.s.len); break;
	case PDP_TYPE_SET:
		json_begin_array(j);
		for (size_t i = 0; i < v->u.set.count; i++)
			json_strn(j, v->u.set.items[i].ptr ? v->u.set.items[i].ptr : "",
			          v->u.set.items[i].len);
		json_end_array(j);
		break;
	default:
		value_text(&d, v);
		json_str(j, d.p != NULL ? d.p : "");
		break;
	}
	free(d.p);
}

static void change_json(json_out *j, const pdp_image *img,
                        const pdp_audit_change *c)
{
	json_begin(j);
	switch (c->kind) {
	case PDP_AUDIT_SET_ROLES:
		json_key_str(j, "change", "roles");
		json_key(j, "roles");
		json_begin_array(j);
		for (size_t i = 0; i < c->n_roles; i++) {
			pdp_str n = pdp_audit_role_name(img, c->roles[i]);
			json_strn(j, n.ptr, n.len);
		}
		json_end_array(j);
		break;
	case PDP_AUDIT_SET_AUTHENTICATED:
		json_key_str(j, "change", "authenticated");
		json_key_bool(j, "value", c->value.u.b);
		break;
	case PDP_AUDIT_SET_LOCATION:
		json_key_str(j, "change", "location");
		json_key(j, "lat");
		json_double(j, c->lat);
		json_key(j, "lon");
		json_double(j, c->lon);
		break;
	case PDP_AUDIT_SET_ATTR:
	case PDP_AUDIT_DROP_ATTR: {
		pdp_str n = pdp_attr_name(img, c->attr);
		json_key_str(j, "change", "attr");
		json_key_strn(j, "attr", n.ptr, n.len);
		if (c->kind == PDP_AUDIT_DROP_ATTR)
			json_key_bool(j, "absent", true);
		else {
			json_key(j, "value");
			value_json(j, &c->value);
		}
		break;
	}
	}
	json_end(j);
}

void would_grant_json(json_out *j, const pdp_image *img, pdp_scratch *scratch,
                      const pdp_request *req)
{
	pdp_audit_grant_report *r = report_of(img, scratch, req);
	if (r == NULL || r->outcome == PDP_AUDIT_PERMITTED) {
		pdp_audit_grant_report_free(r);
		return;
	}
	json_key(j, "would_grant");
	json_begin(j);
	json_key_str(j, "outcome", outcome_name(r->outcome));
	json_key(j, "candidates");
	json_begin_array(j);
	for (size_t i = 0; i < r->n_candidates; i++) {
		const pdp_audit_candidate *c = &r->candidates[i];
		pdp_audit_rule info;
		pdp_audit_rule_get(img, c->rule, &info);
		json_begin(j);
		char *tok = rule_token(img, c->rule, false);
		json_key_str(j, "rule", tok);
		free(tok);
		if (info.id.ptr != NULL)
			json_key_strn(j, "id", info.id.ptr, info.id.len);
		json_key_str(j, "status", status_word(c->status));
		json_key(j, "unmet");
		json_begin_array(j);
		for (size_t k = 0; k < c->n_unmet; k++)
			json_strn(j, c->unmet[k].ptr, c->unmet[k].len);
		json_end_array(j);
		json_key(j, "changes");
		json_begin_array(j);
		for (size_t k = 0; k < c->n_changes; k++)
			change_json(j, img, &c->changes[k]);
		json_end_array(j);
		json_key(j, "clears");
		json_begin_array(j);
		for (size_t k = 0; k < c->n_cleared; k++) {
			char *t = rule_token(img, c->cleared[k], false);
			json_str(j, t);
			free(t);
		}
		json_end_array(j);
		json_key(j, "denied_by");
		json_begin_array(j);
		for (size_t k = 0; k < c->n_blockers; k++) {
			char *t = rule_token(img, c->blockers[k], false);
			json_str(j, t);
			free(t);
		}
		json_end_array(j);
		json_end(j);
	}
	json_end_array(j);
	json_end(j);
	pdp_audit_grant_report_free(r);
}

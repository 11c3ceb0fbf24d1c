/*
 * diag.c - the table of diagnostic codes (diag.h) and the one function that
 * makes a diagnostic from a code. Rows are written with the enum as index,
 * so a row cannot drift from its name; tests/diag_runner.c checks that
 * every row is filled, documented under its anchor and fired by a fixture.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/diag.h"

#define ERR(name, text, anchor, meaning) \
	[name] = {text, PDPC_ERROR, meaning, anchor}
#define WARN(name, text, anchor, meaning) \
	[name] = {text, PDPC_WARNING, meaning, anchor}

static const diag_def table[DIAG_COUNT] = {
	ERR(DIAG_E_IO, "E-IO", "e-io",
	    "a policy file could not be opened or read, or none was given"),
	ERR(DIAG_E_LIMIT, "E-LIMIT", "e-limit",
	    "a size limit was exceeded (file, nesting, string, regex, roles)"),
	ERR(DIAG_E_YAML, "E-YAML", "e-yaml",
	    "the file is not well-formed YAML or JSON"),
	ERR(DIAG_E_YAML_TAG, "E-YAML-TAG", "e-yaml-tag",
	    "a value carries an explicit YAML tag"),
	ERR(DIAG_E_YAML_NUMBER, "E-YAML-NUMBER", "e-yaml-number",
	    "a plain number that YAML readers read differently (017, 0x1F, 1_000, 1:30)"),
	ERR(DIAG_E_YAML_MERGE, "E-YAML-MERGE", "e-yaml-merge",
	    "a YAML merge key (<<)"),
	ERR(DIAG_E_YAML_ALIAS, "E-YAML-ALIAS", "e-yaml-alias",
	    "a YAML anchor or alias"),
	ERR(DIAG_E_YAML_DUPKEY, "E-YAML-DUPKEY", "e-yaml-dupkey",
	    "a mapping has the same key twice"),
	ERR(DIAG_E_VERSION, "E-VERSION", "e-version",
	    "the document does not start with pdp: 1, or the file is empty"),
	ERR(DIAG_E_DOCUMENT, "E-DOCUMENT", "e-document",
	    "a list document holds something other than m2m:acp objects"),
	ERR(DIAG_E_KEY, "E-KEY", "e-key",
	    "a mapping key is not a string"),
	ERR(DIAG_E_UNKNOWN_KEY, "E-UNKNOWN-KEY", "e-unknown-key",
	    "a key or condition operator the language does not define"),
	ERR(DIAG_E_MISSING, "E-MISSING", "e-missing",
	    "a required entry is absent"),
	ERR(DIAG_E_TYPE, "E-TYPE", "e-type",
	    "a value has the wrong YAML shape or scalar type"),
	ERR(DIAG_E_RANGE, "E-RANGE", "e-range",
	    "a number is out of its range"),
	ERR(DIAG_E_OPERATION, "E-OPERATION", "e-operation",
	    "an unknown operation name, or a mask outside 1-63"),
	ERR(DIAG_E_ORIGINATOR, "E-ORIGINATOR", "e-originator",
	    "an empty or malformed originator, or an acor name that is both a group and a role"),
	ERR(DIAG_E_GROUP_MEMBER, "E-GROUP-MEMBER", "e-group-member",
	    "a group member is all, group:NAME or role:NAME"),
	ERR(DIAG_E_ASSIGNMENT, "E-ASSIGNMENT", "e-assignment",
	    "an assignments key looks like a pattern"),
	ERR(DIAG_E_EFFECT, "E-EFFECT", "e-effect",
	    "effect is neither permit nor deny"),
	ERR(DIAG_E_SCHED, "E-SCHED", "e-sched",
	    "a schedule entry (window, actw) is malformed"),
	ERR(DIAG_E_CIDR, "E-CIDR", "e-cidr",
	    "an IP range is malformed"),
	ERR(DIAG_E_COUNTRY, "E-COUNTRY", "e-country",
	    "not an ISO 3166-1 country code"),
	ERR(DIAG_E_RTYPE, "E-RTYPE", "e-rtype",
	    "an unknown oneM2M resource type"),
	ERR(DIAG_E_ATTR_TYPE, "E-ATTR-TYPE", "e-attr-type",
	    "an attribute declared with an unknown type"),
	ERR(DIAG_E_COND, "E-COND", "e-cond",
	    "a malformed when condition"),
	ERR(DIAG_E_COND_TYPE, "E-COND-TYPE", "e-cond-type",
	    "a condition does not fit the attribute's type"),
	ERR(DIAG_E_REGEX, "E-REGEX", "e-regex",
	    "a matches pattern is not valid PCRE2, or uses what matches refuses"),
	ERR(DIAG_E_UNDECLARED, "E-UNDECLARED", "e-undeclared",
	    "a reference to an undeclared role, group or attribute"),
	ERR(DIAG_E_DUPLICATE, "E-DUPLICATE", "e-duplicate",
	    "a name defined twice"),
	ERR(DIAG_E_ROLE_CYCLE, "E-ROLE-CYCLE", "e-role-cycle",
	    "the role hierarchy has a cycle"),
	ERR(DIAG_E_CONSTRAINT, "E-CONSTRAINT", "e-constraint",
	    "an SSD/DSD constraint with a bad n or a repeated role"),
	ERR(DIAG_E_SSD, "E-SSD", "e-ssd",
	    "static separation of duty is violated by an assignment"),
	ERR(DIAG_E_NATIVE, "E-NATIVE", "e-native",
	    "an m2m:acp entry inside acps: holds other keys"),
	ERR(DIAG_E_UNSUPPORTED, "E-UNSUPPORTED", "e-unsupported",
	    "a native ACP uses a restricting attribute pdp does not implement"),
	ERR(DIAG_E_HOST, "E-HOST", "e-host",
	    "the cse: block's sp_id or cse_id is malformed"),
	ERR(DIAG_E_STORE, "E-STORE", "e-store",
	    "a change to a live policy store is not one ACP resource, or names what does not exist"),
	ERR(DIAG_E_INTERNAL, "E-INTERNAL", "e-internal",
	    "the compiled image does not load: a compiler bug"),
	WARN(DIAG_W_GROUP_LOOKALIKE, "W-GROUP-LOOKALIKE", "w-group-lookalike",
	    "a bare originator equal to a group's name is matched as an exact id"),
	WARN(DIAG_W_ROLE_LOOKALIKE, "W-ROLE-LOOKALIKE", "w-role-lookalike",
	    "a bare originator equal to a role's name is matched as an exact id"),
	WARN(DIAG_W_DENY_ROLE, "W-DENY-ROLE", "w-deny-role",
	    "a deny rule on a role can be escaped by not activating the role"),
	WARN(DIAG_W_CIDR_HOST_BITS, "W-CIDR-HOST-BITS", "w-cidr-host-bits",
	    "a CIDR has bits set beyond its prefix"),
	WARN(DIAG_W_SCHED_NEVER, "W-SCHED-NEVER", "w-sched-never",
	    "a schedule entry selects no real instant"),
	WARN(DIAG_W_BROAD, "W-BROAD", "w-broad",
	    "a permit rule grants everything to everyone without restriction"),
	WARN(DIAG_W_NO_ORIGINATOR, "W-NO-ORIGINATOR", "w-no-originator",
	    "a rule with an empty originator list never applies"),
	WARN(DIAG_W_EMPTY_ACP, "W-EMPTY-ACP", "w-empty-acp",
	    "an ACP without rules denies everything"),
	WARN(DIAG_W_UNUSED, "W-UNUSED", "w-unused",
	    "a declared attribute, group or role that nothing uses"),
	WARN(DIAG_W_REDUNDANT, "W-REDUNDANT", "w-redundant",
	    "a rule subsumed by another rule of the same effect"),
	WARN(DIAG_W_DEAD_PERMIT, "W-DEAD-PERMIT", "w-dead-permit",
	    "a permit rule that a deny rule always overrides"),
	WARN(DIAG_W_SSD_UNASSIGNED, "W-SSD-UNASSIGNED", "w-ssd-unassigned",
	    "a role whose own closure violates an SSD set, assigned to nobody"),
	WARN(DIAG_W_DSD_ROLE_NEVER, "W-DSD-ROLE-NEVER", "w-dsd-role-never",
	    "a role whose own closure violates a DSD set, so it can never be active"),
	WARN(DIAG_W_REGEX_BACKTRACK, "W-REGEX-BACKTRACK", "w-regex-backtrack",
	    "a matches pattern whose search time can grow faster than the value"),
	WARN(DIAG_W_REGEX_NEVER, "W-REGEX-NEVER", "w-regex-never",
	    "a matches pattern that can never match"),
	WARN(DIAG_W_SELF_LOCKOUT, "W-SELF-LOCKOUT", "w-self-lockout",
	    "nobody can change the ACP resource itself"),
	WARN(DIAG_W_NATIVE_IGNORED, "W-NATIVE-IGNORED", "w-native-ignored",
	    "a native m2m:acp attribute pdp does not know is ignored"),
};

const diag_def *diag_get(diag_code code)
{
	return &table[code < DIAG_COUNT ? code : DIAG_E_INTERNAL];
}

const pdpc_code_info *pdpc_code_get(size_t i)
{
	return i < DIAG_COUNT ? &table[i] : NULL;
}

const pdpc_code_info *pdpc_code_find(const char *code)
{
	diag_code i = code != NULL ? diag_find(code) : DIAG_COUNT;
	return i < DIAG_COUNT ? &table[i] : NULL;
}

diag_code diag_find(const char *text)
{
	for (size_t i = 0; i < DIAG_COUNT; i++)
		if (table[i].code != NULL && strcmp(table[i].code, text) == 0)
			return (diag_code)i;
	return DIAG_COUNT;
}

void diag_fill(pdpc_diag *d, diag_code code, const char *file, uint32_t line,
               uint32_t col, char *buf, size_t size, const char *fmt,
               va_list ap)
{
	const diag_def *def = diag_get(code);
	vsnprintf(buf, size, fmt, ap);
	memset(d, 0, sizeof(*d));
	d->severity = def->severity;
	d->code = def->code;
	d->message = buf;
	d->file = file;
	d->line = line;
	d->col = col;
}

/*
 * audit.h - audit queries over a loaded policy image: the ANSI RBAC review
 * functions, "what may this subject do?", "who may do this?", and the text
 * of a rule's conditions in the policy's own syntax.
 *
 * Conventions
 * -----------
 * - Every query reads a loaded pdp_image (pdp.h). An image compiled from
 *   sources and the same image read back from a file give the same answers:
 *   the image keeps every name the audit shows (ACP and rule ids, source
 *   file:line, roles, principals, groups, constraints, window text).
 * - Indices: ACPs, roles, groups and constraints are named by their index in
 *   the image (pdp_acp_index, pdp_audit_role_index, ...); rules by their
 *   index in the image's rule table ("rule index", 0 .. pdp_audit_rule_count
 *   - 1), which pdp_audit_rule_get turns into the ACP, section (privileges or
 *   self), position and source. PDP_NONE means "none" or "every".
 * - Lists the caller sizes: functions that take (out, cap) write at most cap
 *   items and return how many there are in all, like snprintf; call with
 *   cap 0 (out may then be NULL) to learn the size. They never allocate.
 * - Result objects: the *_permissions and pdp_audit_acp_query calls allocate
 *   one result object, owned by the caller and released with its *_free
 *   function (NULL is ignored). Every array and pdp_str inside a result (and
 *   every pdp_str any function here returns) points into the result or into
 *   the image: valid until the result is freed and while the image is
 *   referenced. Results are immutable; nothing here keeps global state.
 * - Errors: functions returning pdp_status fill err (may be NULL) on
 *   failure: PDP_ERR_ARG (NULL image or out, bad index), PDP_ERR_NOT_FOUND
 *   (no such ACP, role or rule), PDP_ERR_NOMEM. On error *out is NULL.
 *   The library never prints and never exits.
 * - Thread safety: the image is shared read-only; separate calls may run on
 *   separate threads at once.
 *
 * What "granted" means (docs/audit.md). A grant is a permit rule whose
 * originators match the subject: `all`, an exact id, a glob, a group (exact
 * or glob member) or `role:R` with R in the ACTIVE closure (by default the
 * subject's assigned roles and their juniors, as pdp_decide does when a
 * request carries no roles). A grant's residual conditions are the parts of
 * its rule that the environment decides (contexts, the authenticated flag,
 * objects, `when`). A deny rule of the same ACP, section and operation whose
 * originators can match the subject "could override" the grant. A grant is
 * unconditional when its rule has no residual condition and nothing could
 * override it: then pdp_decide permits that subject, ACP and operation under
 * every environment. When a deny rule without conditions matches, the
 * permission is OVERRIDDEN: pdp_decide never permits it.
 */
#ifndef PDP_AUDIT_H
#define PDP_AUDIT_H

#include "pdp/pdp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- names ---------------------------------------------------------- */

PDP_API uint32_t pdp_audit_role_count(const pdp_image *img);
PDP_API pdp_str pdp_audit_role_name(const pdp_image *img, uint32_t role);
/* Role index for a name, or PDP_NONE. */
PDP_API uint32_t pdp_audit_role_index(const pdp_image *img, pdp_str name);

PDP_API uint32_t pdp_audit_group_count(const pdp_image *img);
PDP_API pdp_str pdp_audit_group_name(const pdp_image *img, uint32_t group);
/* Group index for a name, or PDP_NONE. */
PDP_API uint32_t pdp_audit_group_index(const pdp_image *img, pdp_str name);

/* ---- RBAC review: roles and users (ANSI INCITS 359 review functions) -- */

/* AssignedUsers(role): ids the policy assigns role to directly. */
PDP_API size_t pdp_audit_assigned_users(const pdp_image *img, uint32_t role,
                                        pdp_str *out, size_t cap);
/* AuthorizedUsers(role): ids assigned role or any role senior to it. */
PDP_API size_t pdp_audit_authorized_users(const pdp_image *img,
                                          uint32_t role, pdp_str *out,
                                          size_t cap);
/* AssignedRoles(user): role indices, in image (topological) order. */
PDP_API size_t pdp_audit_assigned_roles(const pdp_image *img, pdp_str user,
                                        uint32_t *out, size_t cap);
/* AuthorizedRoles(user): assigned roles and all their juniors. */
PDP_API size_t pdp_audit_authorized_roles(const pdp_image *img, pdp_str user,
                                          uint32_t *out, size_t cap);
/* Juniors (roles it inherits) and seniors (roles inheriting it) of role;
 * direct only, or the whole transitive set (role itself excluded). */
PDP_API size_t pdp_audit_role_juniors(const pdp_image *img, uint32_t role,
                                      bool direct, uint32_t *out, size_t cap);
PDP_API size_t pdp_audit_role_seniors(const pdp_image *img, uint32_t role,
                                      bool direct, uint32_t *out, size_t cap);

/* Members of a group: exact ids, and glob patterns. */
PDP_API size_t pdp_audit_group_members(const pdp_image *img, uint32_t group,
                                       pdp_str *out, size_t cap);
PDP_API size_t pdp_audit_group_globs(const pdp_image *img, uint32_t group,
                                     pdp_str *out, size_t cap);

/* ---- SSD / DSD review ---------------------------------------------- */

typedef struct pdp_audit_constraint {
	bool dynamic;   /* false: SSD (static), true: DSD (dynamic) */
	pdp_str name;   /* ptr NULL when the constraint has no name */
	uint32_t n;     /* nobody may hold (SSD: be authorized for, DSD: have
	                   active) n or more roles of the set */
	uint32_t n_roles;
} pdp_audit_constraint;

PDP_API uint32_t pdp_audit_constraint_count(const pdp_image *img);
/* SsdRoleSetRoles / SsdRoleSetCardinality and the DSD equivalents.
 * PDP_ERR_NOT_FOUND when i is out of range. */
PDP_API pdp_status pdp_audit_constraint_get(const pdp_image *img, uint32_t i,
                                            pdp_audit_constraint *out);
PDP_API size_t pdp_audit_constraint_roles(const pdp_image *img, uint32_t i,
                                          uint32_t *out, size_t cap);

/* ---- rules ---------------------------------------------------------- */

typedef enum pdp_audit_via {
	PDP_AUDIT_VIA_ALL = 0,    /* `all` */
	PDP_AUDIT_VIA_EXACT = 1,  /* an exact originator id */
	PDP_AUDIT_VIA_GLOB = 2,   /* a glob pattern */
	PDP_AUDIT_VIA_GROUP = 3,  /* group:NAME */
	PDP_AUDIT_VIA_ROLE = 4    /* role:NAME */
} pdp_audit_via;

/* One entry of a rule's originators. */
typedef struct pdp_audit_originator {
	pdp_audit_via kind;
	pdp_str name;    /* "all", the id, the pattern, the group or role name */
	uint32_t index;  /* GROUP: group index; ROLE: role index; else PDP_NONE */
} pdp_audit_originator;

typedef struct pdp_audit_rule {
	uint32_t acp;          /* ACP index */
	bool self;             /* a self (pvs) rule, else privileges (pv) */
	uint32_t index;        /* position within privileges or self, from 0 */
	bool deny;             /* effect deny, else permit */
	uint32_t operations;   /* PDP_OP_* mask */
	pdp_str id;            /* the rule's `id`; ptr NULL when none */
	pdp_str file;          /* source file; ptr NULL when unknown */
	uint32_t line;         /* 1-based line in file, 0 when unknown */
	uint32_t n_originators;
} pdp_audit_rule;

PDP_API uint32_t pdp_audit_rule_count(const pdp_image *img);
/* Describe rule; PDP_ERR_NOT_FOUND when out of range. */
PDP_API pdp_status pdp_audit_rule_get(const pdp_image *img, uint32_t rule,
                                      pdp_audit_rule *out);
/* The i-th originator entry of rule (i < n_originators). */
PDP_API pdp_status pdp_audit_rule_originator(const pdp_image *img,
                                             uint32_t rule, uint32_t i,
                                             pdp_audit_originator *out);

/* The parts of a rule that restrict it beyond originators and operations.
 * A part is reported only when it can fail: contexts with an empty context
 * always hold, and objects whose only field is child_types hold for every
 * operation but create, so they are not residual conditions there. */
enum {
	PDP_AUDIT_COND_CONTEXTS = 1,
	PDP_AUDIT_COND_AUTHENTICATED = 2,
	PDP_AUDIT_COND_OBJECTS = 4,
	PDP_AUDIT_COND_WHEN = 8,
	/* The rule can never hold (a `when` that is constantly false, or
	 * contexts whose windows select no instant). Such permit rules grant
	 * nothing; such deny rules never deny only when `when` is false. */
	PDP_AUDIT_COND_NEVER = 16
};

/* PDP_AUDIT_COND_* bits of rule for the operation op (one PDP_OP_* bit);
 * 0: the rule holds whenever its originators and operations do. */
PDP_API uint32_t pdp_audit_rule_conditions(const pdp_image *img,
                                           uint32_t rule, uint32_t op);

/*
 * Write one condition part of rule (a single PDP_AUDIT_COND_* bit except
 * NEVER) in the policy language's own YAML flow syntax, NUL-terminated:
 *   contexts: [{window: ["* * 8-17 * * 1-5 *"], ip: [10.1.0.0/16],
 *               region: {countries: [DE], circles: [{lat: .., lon: ..,
 *               radius: ..}]}}]
 *   authenticated: true
 *   objects: [{types: [container], child_types: [contentInstance]}]
 *   when: {attr: originator.clearance, ge: 2}
 * Returns the length the full text needs (without the NUL), like snprintf;
 * 0 when the rule has no such part. buf may be NULL when size is 0.
 */
PDP_API size_t pdp_audit_format_condition(const pdp_image *img,
                                          uint32_t rule, uint32_t part,
                                          char *buf, size_t size);

/* Write the reason-style token of rule, "rule:<acp>:<privileges|self>:<i>",
 * like snprintf. */
PDP_API size_t pdp_audit_rule_token(const pdp_image *img, uint32_t rule,
                                    char *buf, size_t size);

/* ---- permissions: subject, session and role queries ------------------ */

typedef enum pdp_audit_status {
	PDP_AUDIT_UNCONDITIONAL = 0, /* permitted under every environment */
	PDP_AUDIT_CONDITIONAL = 1,   /* permitted under some environments */
	PDP_AUDIT_OVERRIDDEN = 2     /* a permit rule matches, but a deny rule
	                                without conditions always overrides */
} pdp_audit_status;

/* One permit rule that grants the permission to the subject. */
typedef struct pdp_audit_grant {
	uint32_t rule;          /* rule index of the permit rule */
	uint32_t originator;    /* the entry (index within the rule) that
	                           matched: the first one that does */
	pdp_audit_via via;      /* its kind */
	uint32_t via_index;     /* GROUP: group index; ROLE: the rule's role;
	                           else PDP_NONE */
	uint32_t through_role;  /* ROLE: the assigned (or activated) role whose
	                           closure holds via_index (equal to it when held
	                           directly); else PDP_NONE */
	uint32_t conditions;    /* pdp_audit_rule_conditions for the operation */
	bool unconditional;     /* conditions == 0 and no override is possible */
} pdp_audit_grant;

/* A permission: one ACP, section and operation, with how it is granted. */
typedef struct pdp_audit_perm {
	uint32_t acp;
	bool self;
	uint32_t operation;     /* one PDP_OP_* bit */
	pdp_audit_status status;
	const pdp_audit_grant *grants;  /* in rule order; never empty */
	size_t n_grants;
	const uint32_t *overrides;      /* rule indices of deny rules that could
	                                   apply to the subject for it */
	size_t n_overrides;
} pdp_audit_perm;

/* Role activation, as pdp_decide checks it (docs/language.md section 8). */
typedef enum pdp_audit_activation {
	PDP_AUDIT_ACTIVATION_OK = 0,
	PDP_AUDIT_ROLE_NOT_AUTHORIZED = 1, /* detail: index into the given roles */
	PDP_AUDIT_DSD_VIOLATION = 2        /* detail: constraint index */
} pdp_audit_activation;

typedef struct pdp_audit_perms {
	pdp_str subject;                /* ptr NULL for role queries */
	pdp_audit_activation activation;
	uint32_t activation_detail;     /* PDP_NONE when OK */
	const uint32_t *active_roles;   /* the roles activated directly (the
	                                   assigned roles, the given roles, or the
	                                   queried role), image order */
	size_t n_active_roles;
	const uint32_t *active_closure; /* those and all their juniors */
	size_t n_active_closure;
	const pdp_audit_perm *perms;    /* by ACP, privileges before self, then
	                                   operation bit; empty when activation
	                                   failed (every request is denied) */
	size_t n_perms;
} pdp_audit_perms;

/*
 * UserPermissions(user): every permission user may be granted with the
 * roles a request without `roles` activates (the assigned roles, so the
 * authorized roles are active), plus direct grants to ids, globs, groups and
 * `all`. acp restricts the answer to one ACP index (PDP_NONE: every ACP).
 * If the assigned roles together violate a DSD set, pdp_decide denies every
 * such request: activation says so and perms is empty.
 */
PDP_API pdp_status pdp_audit_user_permissions(const pdp_image *img,
                                              pdp_str user, uint32_t acp,
                                              pdp_audit_perms **out,
                                              pdp_error *err);

/*
 * SessionPermissions(user, roles): as above with exactly the given roles
 * active (a request carrying `roles`). Each must be authorized for user and
 * the active closure must respect DSD, else activation says which failed
 * and perms is empty. n_roles 0 activates nothing.
 */
PDP_API pdp_status pdp_audit_session_permissions(const pdp_image *img,
                                                 pdp_str user,
                                                 const pdp_str *roles,
                                                 size_t n_roles, uint32_t acp,
                                                 pdp_audit_perms **out,
                                                 pdp_error *err);

/*
 * RolePermissions(role): what `role:` rules grant to whoever has role
 * active: rules naming role or any of its juniors (through_role is role).
 * Direct grants are not included. Every deny rule of the same ACP, section
 * and operation is listed as an override (it may apply to some holder);
 * the status is OVERRIDDEN only when a deny rule without conditions names
 * `all` or a role the holder has active.
 */
PDP_API pdp_status pdp_audit_role_permissions(const pdp_image *img,
                                              uint32_t role, uint32_t acp,
                                              pdp_audit_perms **out,
                                              pdp_error *err);

PDP_API void pdp_audit_perms_free(pdp_audit_perms *p);

/*
 * A subject query with everything it may fix (docs/audit.md, "Partial
 * evaluation"). Initialise with pdp_audit_subject_init, then set what the
 * query knows. Conditions on what it fixes are evaluated; the rest is
 * simplified and reported as the residual condition (pdp_audit_residual).
 */
typedef struct pdp_audit_subject {
	pdp_str subject;        /* the originator id (required) */
	bool roles_given;       /* false: the assigned roles are active */
	const pdp_str *roles;   /* roles_given: exactly these are active */
	size_t n_roles;
	int32_t type;           /* the target's resource type (oneM2M ty), or
	                           -1: any type */
	const pdp_attr *attrs;  /* the subject's attribute values, as requests
	                           of this subject carry them (pdp_attr_id) */
	size_t n_attrs;
	bool attrs_complete;    /* attrs are all of the subject's originator.*
	                           attributes: any other is absent */
	const uint32_t *acps;   /* ACP indices of one resource's acpi: answer
	                           for their union, as pdp_decide combines them
	                           (deny rules of any of them override). NULL:
	                           every ACP of the image, each on its own */
	size_t n_acps;
} pdp_audit_subject;

PDP_API void pdp_audit_subject_init(pdp_audit_subject *q);

/*
 * UserPermissions / SessionPermissions with partial evaluation: as
 * pdp_audit_user_permissions (roles_given false) or
 * pdp_audit_session_permissions (roles_given true), with the facts of q
 * applied. With q->acps set, every perm has acp PDP_NONE (the union) and
 * grants and overrides name rules of any of the ACPs. The attribute
 * values are read during the call only.
 */
PDP_API pdp_status pdp_audit_subject_permissions(const pdp_image *img,
                                                 const pdp_audit_subject *q,
                                                 pdp_audit_perms **out,
                                                 pdp_error *err);

/*
 * The residual text of one condition part (a PDP_AUDIT_COND_* bit other
 * than NEVER) of rule for operation op, as the query that made p reduced
 * it: what the query fixed is evaluated, the rest simplified (an `all`
 * whose other children hold becomes its open child, and so on), in the
 * syntax of pdp_audit_format_condition. Available for every grant and
 * every override of p. snprintf-style; 0 when the part is no residual
 * condition of that rule there.
 */
PDP_API size_t pdp_audit_residual(const pdp_audit_perms *p, uint32_t rule,
                                  uint32_t op, uint32_t part, char *buf,
                                  size_t size);

/*
 * RoleOperationsOnObject(role, acp) and UserOperationsOnObject(user, acp):
 * the operations (PDP_OP_* mask) of the ACP's privileges (self false) or
 * self rules that may be granted (status not OVERRIDDEN), and in
 * *unconditional those granted under every environment. unconditional may
 * be NULL.
 */
PDP_API pdp_status pdp_audit_role_operations_on_object(
	const pdp_image *img, uint32_t role, uint32_t acp, bool self,
	uint32_t *ops, uint32_t *unconditional, pdp_error *err);
PDP_API pdp_status pdp_audit_user_operations_on_object(
	const pdp_image *img, pdp_str user, uint32_t acp, bool self,
	uint32_t *ops, uint32_t *unconditional, pdp_error *err);

/* ---- reachable role sets under DSD ------------------------------------ */

/* The role-set search (pdp_audit_subject_role_sets) visits at most this many
 * partial sets: it is exponential in the number of contested roles in the
 * worst case, and an audit call must end. Reaching it is reported. */
#define PDP_AUDIT_ROLE_SETS_MAX_STEPS 200000u
/* The number of sets listed when the caller passes max_sets 0. */
#define PDP_AUDIT_ROLE_SETS_DEFAULT 64u

typedef enum pdp_audit_truncation {
	PDP_AUDIT_COMPLETE = 0,        /* every maximal set is listed */
	PDP_AUDIT_TRUNCATED_SETS = 1,  /* there are more than max_sets */
	PDP_AUDIT_TRUNCATED_STEPS = 2  /* the search stopped at
	                                  PDP_AUDIT_ROLE_SETS_MAX_STEPS */
} pdp_audit_truncation;

/* One maximal role set a session of the subject may hold. */
typedef struct pdp_audit_role_set {
	const uint32_t *activate;  /* the fewest roles whose activation gives
	                              it: its roles no other role of the set
	                              inherits (image order) */
	size_t n_activate;
	const uint32_t *roles;     /* the set: those and all their juniors, the
	                              session's active closure (image order) */
	size_t n_roles;
	const pdp_audit_perms *perms; /* what the session may do:
	                              pdp_audit_subject_permissions with
	                              exactly `activate` given as roles */
} pdp_audit_role_set;

typedef struct pdp_audit_role_sets {
	pdp_str subject;
	const uint32_t *authorized;  /* the subject's authorized roles */
	size_t n_authorized;
	const uint32_t *contested;   /* those whose closure holds a role of
	                                some DSD set: the sets differ only in
	                                these (image order) */
	size_t n_contested;
	const pdp_audit_role_set *sets; /* in the order found; never empty
	                                   unless truncated */
	size_t n_sets;
	pdp_audit_truncation truncated; /* COMPLETE: every maximal set is
	                                   listed; else the listed ones are
	                                   valid and maximal, others exist or
	                                   may exist */
} pdp_audit_role_sets;

/*
 * The maximal role sets a session of q->subject may validly activate under
 * dynamic separation of duty, with the permissions of each (docs/audit.md,
 * "--role-sets"). A session may activate any authorized role; rules and DSD
 * see the active closure. A set is valid when its closure holds fewer than
 * n roles of every DSD set, maximal when no authorized role can be added:
 * every role set a valid session holds is within one of the sets listed
 * (when not truncated). Without DSD sets touching the subject's roles there
 * is one set, all authorized roles. The other facts of q (type, attrs,
 * acps) apply to every set's permissions; q->roles_given must be false
 * (PDP_ERR_ARG). max_sets caps the sets listed (0: the default); the
 * search is bounded by PDP_AUDIT_ROLE_SETS_MAX_STEPS; either cut is
 * reported in truncated, never silent. Release with
 * pdp_audit_role_sets_free.
 */
PDP_API pdp_status pdp_audit_subject_role_sets(const pdp_image *img,
                                               const pdp_audit_subject *q,
                                               size_t max_sets,
                                               pdp_audit_role_sets **out,
                                               pdp_error *err);
PDP_API void pdp_audit_role_sets_free(pdp_audit_role_sets *s);

/* ---- what would grant a denied request -------------------------------- */

/* One change to a request. Apply it as: SET_ROLES: roles_given true and
 * exactly `roles` (role indices, pdp_audit_role_name) as the roles;
 * SET_AUTHENTICATED: authenticated = value.u.b (true to meet a rule;
 * false to leave a deny rule that binds only authenticated requests);
 * SET_ATTR: attribute `attr`
 * (pdp_attr_id) takes `value`, where the built-ins env.time, env.ip and
 * env.country stand for the request's time, ip and country fields;
 * DROP_ATTR: attribute (or that field) absent; SET_LOCATION: the
 * location lat, lon. */
typedef enum pdp_audit_change_kind {
	PDP_AUDIT_SET_ROLES = 0,
	PDP_AUDIT_SET_AUTHENTICATED = 1,
	PDP_AUDIT_SET_ATTR = 2,
	PDP_AUDIT_DROP_ATTR = 3,
	PDP_AUDIT_SET_LOCATION = 4
} pdp_audit_change_kind;

typedef struct pdp_audit_change {
	pdp_audit_change_kind kind;
	uint32_t attr;          /* SET_ATTR, DROP_ATTR; else PDP_NONE */
	pdp_value value;        /* SET_ATTR (strings point into the result,
	                           the image or the request's strings);
	                           SET_AUTHENTICATED: a bool */
	const uint32_t *roles;  /* SET_ROLES, image order of choice: the role
	                           a rule needs first */
	size_t n_roles;
	double lat, lon;        /* SET_LOCATION */
} pdp_audit_change;

typedef enum pdp_audit_grant_status {
	PDP_AUDIT_GRANTS = 0,     /* with its changes, pdp_decide permits the
	                             request (checked by the call) */
	PDP_AUDIT_BLOCKED = 1,    /* its rule would hold, but deny rules still
	                             apply (blockers): no grant */
	PDP_AUDIT_UNRESOLVED = 2  /* no change was found for some unmet
	                             condition (say a `matches` pattern the
	                             value chooser cannot satisfy, or
	                             conditions that contradict each other) */
} pdp_audit_grant_status;

/* One permit rule that could grant the request. */
typedef struct pdp_audit_candidate {
	uint32_t rule;                 /* rule index of the permit rule */
	pdp_audit_grant_status status;
	const pdp_str *unmet;          /* the rule's conditions the request does
	                                  not meet, each "key: value" in the
	                                  policy syntax: originators (a role to
	                                  activate), authenticated, contexts,
	                                  when (reduced: what holds is left
	                                  out) */
	size_t n_unmet;
	const pdp_audit_change *changes; /* the smallest changes found that
	                                    meet them; empty for BLOCKED by a
	                                    deny alone */
	size_t n_changes;
	const uint32_t *blockers;      /* BLOCKED: rule indices of the deny rules
	                                  that apply to the changed request */
	size_t n_blockers;
	const uint32_t *cleared;       /* deny rules that applied to the
	                                  request and that the changes stop
	                                  (their `when` made false, or no
	                                  authentication) */
	size_t n_cleared;
} pdp_audit_candidate;

typedef enum pdp_audit_grant_outcome {
	PDP_AUDIT_PERMITTED = 0,     /* pdp_decide permits: nothing to change */
	PDP_AUDIT_CAN_GRANT = 1,     /* some candidate grants */
	PDP_AUDIT_CANNOT_GRANT = 2,  /* candidates, but each blocked or
	                                unresolved */
	PDP_AUDIT_NO_CANDIDATE = 3,  /* no permit rule of the target ACPs could
	                                apply to this originator, operation and
	                                target, whatever else changed */
	PDP_AUDIT_REFUSED = 4        /* refused before any rule: bad request,
	                                no ACP or unknown ACP (decision) */
} pdp_audit_grant_outcome;

typedef struct pdp_audit_grant_report {
	pdp_audit_grant_outcome outcome;
	pdp_decision decision;       /* the request's own decision */
	const pdp_audit_candidate *candidates; /* GRANTS first, then BLOCKED,
	                                          then UNRESOLVED; each by
	                                          fewest changes, then rule
	                                          order */
	size_t n_candidates;
} pdp_audit_grant_report;

/*
 * What would grant a denied request (docs/audit.md, "What would grant"):
 * the information a oneM2M dynamic authorization server is given (TS-0003
 * 7.3). Fixed are what the request is: its originator, operation and
 * target (ACPs, section, resource type, child type, specialization).
 * Everything else may change: the roles activated (authorized ones, the
 * set respecting DSD), authentication, the time (the next instant from
 * the request's time, else from 1970, that a window selects), the ip (a
 * range's network address), the country or location (a region's first
 * country, a circle's centre), and attribute values (chosen per
 * condition: the literal of eq, one past a bound, the first item of in,
 * ...). Every permit rule of the target ACPs for the operation whose
 * residual under the fixed facts is not false (pdp_audit_residual's
 * partial evaluation) and whose objects hold is a candidate; each is
 * reported with its unmet conditions and the changes found, and checked:
 * the changed request is decided with pdp_decide. Deny rules that would
 * still apply make a candidate BLOCKED (the call first tries to make their
 * `when` false with what is left free, or to drop an authentication the
 * permit rule does not need). Not on the decide path: it
 * allocates and may take milliseconds. scratch (may be NULL: one is made)
 * is a scratch for img or from pdp_scratch_new_any. The report keeps no
 * pointer to req, but values taken from it (set items) point into its
 * strings. Release with pdp_audit_grant_report_free.
 */
PDP_API pdp_status pdp_audit_what_would_grant(const pdp_image *img,
                                              pdp_scratch *scratch,
                                              const pdp_request *req,
                                              pdp_audit_grant_report **out,
                                              pdp_error *err);
PDP_API void pdp_audit_grant_report_free(pdp_audit_grant_report *r);

/* ---- who may be granted an ACP's operations ------------------------- */

typedef struct pdp_audit_acp_entry {
	bool self;
	uint32_t operation;       /* one PDP_OP_* bit */
	const uint32_t *permits;  /* rule indices of permit rules covering it
	                             that can hold, in rule order */
	size_t n_permits;
	const uint32_t *denies;   /* rule indices of deny rules covering it */
	size_t n_denies;
} pdp_audit_acp_entry;

typedef struct pdp_audit_acp {
	uint32_t acp;
	const pdp_audit_acp_entry *entries; /* privileges before self, then
	                                       operation bit; only operations
	                                       some rule covers */
	size_t n_entries;
} pdp_audit_acp;

/*
 * Who may be granted the operations ops (PDP_OP_* mask; 0 means all) of
 * ACP acp. Expand each permit rule's originators with
 * pdp_audit_rule_originator, pdp_audit_group_members / _globs (groups) and
 * pdp_audit_authorized_users (roles).
 */
PDP_API pdp_status pdp_audit_acp_query(const pdp_image *img, uint32_t acp,
                                       uint32_t ops, pdp_audit_acp **out,
                                               pdp_error *err);
PDP_API void pdp_audit_acp_free(pdp_audit_acp *a);

/* The residual text of a rule of an entry of a (its operation fixed, and
 * nothing else), as pdp_audit_residual. */
PDP_API size_t pdp_audit_acp_residual(const pdp_audit_acp *a, uint32_t rule,
                                      uint32_t op, uint32_t part, char *buf,
                                      size_t size);

#ifdef __cplusplus
}
#endif

#endif /* PDP_AUDIT_H */

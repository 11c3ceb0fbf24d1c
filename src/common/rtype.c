/*
 * rtype.c - oneM2M resource types (TS-0004 m2m:resourceType) by long name
 * ("contentInstance"), resource short name ("cin") or number.
 *
 * Numbers follow TS-0004 clause 6.3.4.2.1. 33 is trafficPattern as in
 * Release 2 (later releases mark it void); announced variants are the
 * original number + 10000. Types whose short name could not be confirmed
 * against a published source have none here (long name and number work).
 * Names are case-sensitive, as in oneM2M.
 */
#include <string.h>

#include "common/prims.h"

#define RTYPE_DIGITS_MAX 10 /* INT32_MAX has 10 digits */

typedef struct rtype_row {
	int32_t ty;
	const char *name;  /* long name */
	const char *shortname; /* resource short name, or NULL */
} rtype_row;

/* Sorted by ty (rtype_name searches it). */
static const rtype_row rtypes[] = {
	{1, "accessControlPolicy", "acp"},
	{2, "AE", "ae"},
	{3, "container", "cnt"},
	{4, "contentInstance", "cin"},
	{5, "CSEBase", "cb"},
	{6, "delivery", "dlv"},
	{7, "eventConfig", "evcg"},
	{8, "execInstance", "exin"},
	{9, "group", "grp"},
	{10, "locationPolicy", "lcp"},
	{11, "m2mServiceSubscriptionProfile", "mssp"},
	{12, "mgmtCmd", "mgc"},
	{13, "mgmtObj", "mgo"},
	{14, "node", "nod"},
	{15, "pollingChannel", "pch"},
	{16, "remoteCSE", "csr"},
	{17, "request", "req"},
	{18, "schedule", "sch"},
	{19, "serviceSubscribedAppRule", "asar"},
	{20, "serviceSubscribedNode", "svsn"},
	{21, "statsCollect", "stcl"},
	{22, "statsConfig", "stcg"},
	{23, "subscription", "sub"},
	{24, "semanticDescriptor", "smd"},
	{25, "notificationTargetMgmtPolicyRef", "ntpr"},
	{26, "notificationTargetPolicy", "ntp"},
	{27, "policyDeletionRules", "pdr"},
	{28, "flexContainer", "fcnt"},
	{29, "timeSeries", "ts"},
	{30, "timeSeriesInstance", "tsi"},
	{31, "role", "rol"},
	{32, "token", "tk"},
	{33, "trafficPattern", "trpt"},
	{34, "dynamicAuthorizationConsultation", "dac"},
	{35, "authorizationDecision", NULL},
	{36, "authorizationPolicy", NULL},
	{37, "authorizationInformation", NULL},
	{38, "ontologyRepository", NULL},
	{39, "ontology", NULL},
	{40, "semanticMashupJobProfile", NULL},
	{41, "semanticMashupInstance", NULL},
	{42, "semanticMashupResult", NULL},
	{43, "AEContactList", NULL},
	{44, "AEContactListPerCSE", NULL},
	{45, "localMulticastGroup", NULL},
	{46, "multimediaSession", NULL},
	{47, "triggerRequest", NULL},
	{48, "crossResourceSubscription", "crs"},
	{49, "backgroundDataTransfer", NULL},
	{50, "transactionMgmt", NULL},
	{51, "transaction", NULL},
	{58, "flexContainerInstance", "fci"},
	{60, "timeSyncBeacon", "tsb"},
	{65, "action", "actr"},
	{66, "dependency", "depr"},
	{10001, "accessControlPolicyAnnc", "acpA"},
	{10002, "AEAnnc", "aeA"},
	{10003, "containerAnnc", "cntA"},
	{10004, "contentInstanceAnnc", "cinA"},
	{10005, "CSEBaseAnnc", "cbA"},
	{10009, "groupAnnc", "grpA"},
	{10010, "locationPolicyAnnc", "lcpA"},
	{10013, "mgmtObjAnnc", "mgoA"},
	{10014, "nodeAnnc", "nodA"},
	{10016, "remoteCSEAnnc", "csrA"},
	{10018, "scheduleAnnc", "schA"},
	{10024, "semanticDescriptorAnnc", "smdA"},
	{10028, "flexContainerAnnc", "fcntA"},
	{10029, "timeSeriesAnnc", "tsA"},
	{10030, "timeSeriesInstanceAnnc", "tsiA"},
	{10033, "trafficPatternAnnc", "trptA"},
	{10034, "dynamicAuthorizationConsultationAnnc", NULL},
	{10038, "ontologyRepositoryAnnc", NULL},
	{10039, "ontologyAnnc", NULL},
	{10040, "semanticMashupJobProfileAnnc", NULL},
	{10041, "semanticMashupInstanceAnnc", NULL},
	{10042, "semanticMashupResultAnnc", NULL},
	{10046, "multimediaSessionAnnc", NULL},
	{10058, "flexContainerInstanceAnnc", NULL},
	{10060, "timeSyncBeaconAnnc", "tsbA"},
	{10065, "actionAnnc", "actrA"},
	{10066, "dependencyAnnc", "deprA"},
};

#define RTYPE_COUNT (sizeof rtypes / sizeof rtypes[0])

static bool str_is(pdp_str s, const char *name)
{
	return name != NULL && strlen(name) == s.len &&
	       memcmp(s.ptr, name, s.len) == 0;
}

/* A plain decimal 1..INT32_MAX (no sign, no spaces); -1 otherwise. Any
 * positive number is accepted so that policies can name types newer than
 * this table. */
static int32_t parse_decimal(pdp_str s)
{
	if (s.len == 0 || s.len > RTYPE_DIGITS_MAX)
		return -1;
	int64_t v = 0;
	for (size_t i = 0; i < s.len; i++) {
		if (s.ptr[i] < '0' || s.ptr[i] > '9')
			return -1;
		v = v * 10 + (s.ptr[i] - '0');
	}
	return (v >= 1 && v <= INT32_MAX) ? (int32_t)v : -1;
}

/* Names are looked up at compile time only, so a linear scan is fine. */
int32_t rtype_from_name(pdp_str s)
{
	if (s.ptr == NULL || s.len == 0)
		return -1;
	if (s.ptr[0] >= '0' && s.ptr[0] <= '9')
		return parse_decimal(s);
	for (size_t i = 0; i < RTYPE_COUNT; i++)
		if (str_is(s, rtypes[i].name) || str_is(s, rtypes[i].shortname))
			return rtypes[i].ty;
	return -1;
}

const char *rtype_name(int32_t ty)
{
	size_t lo = 0, hi = RTYPE_COUNT;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (rtypes[mid].ty == ty)
			return rtypes[mid].name;
		if (rtypes[mid].ty < ty)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

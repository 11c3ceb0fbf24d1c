#!/usr/bin/env python3
"""End-to-end test of tinyIoT deciding with pdp, over oneM2M HTTP.

    e2e.py OUTDIR [--stock] [--keep]

OUTDIR is what build.sh built. The test starts the CSE with run.sh on a
free loopback port with a fresh data directory (and e2e-base.yaml as the
base policy), drives the scenario below with real oneM2M requests
(X-M2M-Origin, X-M2M-RI, X-M2M-RVI, Content-Type: application/json;ty=N)
over IPv4 and IPv6, and checks every response status (X-M2M-RSC) and the
bodies it names. For a denial it also checks pdp's reason in the CSE log.
Then it stops the CSE with SIGTERM (it must exit 0), starts it again on the
same database and checks that the ACPs and groups came back, and once more
without the base policy (resources naming a base ACP are then denied).

With --stock, OUTDIR is a stock build (build.sh --stock): the same
requests run against tinyIoT's own access control, steps that need pdp's
base policy are skipped, and each step where stock tinyIoT answers
differently must be one of the known differences (the `stock` field); the
differences are printed as a table (docs/integrations.md lists them).

Python 3 standard library only. Exit status 0 when every step passed.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CSE = "TinyIoT"
ADMIN = "CAdmin"
YEAR = time.gmtime().tm_year
# A window that holds now (this year or next, in case the test runs
# across New Year) and one that never holds.
NOW_WINDOW = ["* * * * * * %d" % YEAR, "* * * * * * %d" % (YEAR + 1)]
NEVER_WINDOW = ["* * * * * * 2100"]

OK, CREATED, UPDATED, DELETED = 2000, 2001, 2004, 2002
BAD_REQUEST, FORBIDDEN, NOT_FOUND = 4000, 4103, 4004
NO_IPV6 = "no-ipv6"   # stock: nothing listens on ::1
CRASH = "crash"        # stock: the server dies on this request


class Step:
    """One request and what it must answer (pdp) and, where stock tinyIoT
    answers otherwise, what stock answers and why (a key of DIFFERENCES)."""

    def __init__(self, name, method, path, origin, ty=None, body=None,
                 expect=OK, stock=None, why=None, host="127.0.0.1",
                 reason=None, check=None, stock_check=None, save=None,
                 pdp_only=False):
        self.name, self.method, self.path = name, method, path
        self.origin, self.ty, self.body = origin, ty, body
        self.expect, self.stock, self.why = expect, stock, why
        self.host, self.reason, self.check = host, reason, check
        self.stock_check, self.save, self.pdp_only = stock_check, save, pdp_only


# Why stock tinyIoT decides differently, and which side oneM2M takes
# (docs/integrations.md, "Where stock tinyIoT differs").
DIFFERENCES = {
    "window": "accessControlWindow (actw): stock does not know the attribute "
              "and refuses any ACP that has one (4000 'invalid attribute : "
              "pv'); TS-0003 defines time windows: pdp's side",
    "acaf": "accessControlAuthenticationFlag (acaf): stock refuses any ACP "
            "that has one (4000); TS-0003 defines it: pdp's side (and plain "
            "HTTP is unauthenticated, so the rule does not grant)",
    "discovery": "discovery results: stock joins its exclusions with OR, so "
                 "once two resources are to be hidden every one is listed; "
                 "TS-0001 returns only resources the originator may "
                 "DISCOVER: pdp's side",
    "acp-inherits": "access to an <accessControlPolicy>: stock adds the "
                    "parent's privileges to the ACP's selfPrivileges; "
                    "TS-0001 governs an ACP by its selfPrivileges only: "
                    "pdp's side",
    "glob-slash": "`*` in acor: stock matches any run, '/' included; pdp "
                  "stops at '/' (the scope of a wildcard in TS-0003): "
                  "pdp's side",
    "group": "acor naming a <group> resource ID: stock ignores group "
             "membership; TS-0001 lets acor hold group IDs whose members "
             "are authorized: pdp's side",
    "ipv6": "acip.ipv6: stock listens on IPv4 only (and never checks ipv6 "
            "ranges); TS-0003 defines ipv6 ranges: pdp's side",
    "unknown-acp": "an acpi entry naming a deleted ACP: stock skips it and "
                   "another ACP still grants; pdp denies (unknown-acp) so that "
                   "a lost ACP never drops a restriction. oneM2M does not "
                   "say; pdp fails closed",
    "parent-ae": "a resource with acpi under an <AE>: stock lets the parent "
                 "AE do anything whatever the ACPs say; with acpi set, the "
                 "ACPs decide (TS-0001 accessControlPolicyIDs): pdp's side",
    "id-forms": "an SP-relative originator of this CSE (/tinyiot/Cbob): "
                "stock strips its own CSE-ID from acor entries but never "
                "from the originator, so it does not recognize the AE; pdp, "
                "told the hosting CSE (cse: {sp_id, cse_id}), compares "
                "absolute forms. TS-0001 clause 7.2: the CSE-relative, "
                "SP-relative and absolute IDs name the same AE: pdp's side",
    "acpi-update": "an update of acpi by an originator whose selfPrivileges "
                   "grant UPDATE: stock refuses every one that is not the "
                   "admin's (4000: validate_acpi compares an ACOP bit with an "
                   "Operation value); the patched CSE checks what the code "
                   "means, UPDATE in the selfPrivileges of the ACPs: pdp's "
                   "side",
    "absolute-id": "an absolute originator ID of the hosting SP: stock "
                   "dereferences NULL and the server dies; the patched CSE "
                   "decides it as the same AE (TS-0001 clause 7.2)",
}


def acp(rn, pv, pvs=None):
    pvs = pvs or [{"acor": [ADMIN], "acop": 63}]
    return {"m2m:acp": {"rn": rn, "pv": {"acr": pv}, "pvs": {"acr": pvs}}}


def cnt(rn, acpi=None):
    body = {"rn": rn}
    if acpi is not None:
        body["acpi"] = acpi
    return {"m2m:cnt": body}


def ae(rn):
    return {"m2m:ae": {"rn": rn, "api": "N" + rn, "rr": True, "srv": ["3"]}}


def uris(names):
    return sorted(CSE + "/" + n for n in names)


def uril_is(names):
    def check(body, ctx):
        got = sorted((body or {}).get("m2m:uril", []))
        want = uris(names)
        return got == want, "uril %s, want %s" % (got, want)
    return check


def field_is(key, field, want):
    def check(body, ctx):
        got = ((body or {}).get(key) or {}).get(field)
        w = want(ctx) if callable(want) else want
        return got == w, "%s.%s = %r, want %r" % (key, field, got, w)
    return check


def dbg_has(text):
    def check(body, ctx):
        dbg = (body or {}).get("m2m:dbg", "")
        return text in dbg, "m2m:dbg %r lacks %r" % (dbg, text)
    return check


def ref(name):
    """A value known once an earlier step saved it (a resource ID)."""
    return lambda ctx: ctx[name]


class Concurrent:
    """Readers retrieve while the ACP that governs them flips between
    granting and not granting: every answer must be 2000 or 4103, no
    exchange may fail, and once the last change returned, the next
    request must see it."""

    def __init__(self, name, path, origin, acp_path, seconds=3.0,
                 readers=4):
        self.name, self.path, self.origin = name, path, origin
        self.acp_path, self.seconds, self.readers = acp_path, seconds, readers
        self.pdp_only, self.why = False, None

    def run(self, runner):
        import threading
        stop = threading.Event()
        answers, problems = {}, []
        lock = threading.Lock()

        def reader():
            while not stop.is_set():
                _, got, _ = runner.request(get("", self.path, self.origin),
                                           None)
                with lock:
                    answers[got] = answers.get(got, 0) + 1

        threads = [threading.Thread(target=reader)
                   for _ in range(self.readers)]
        for t in threads:
            t.start()
        flips, deadline = 0, time.time() + self.seconds
        while time.time() < deadline:
            acop = 2 if flips % 2 == 0 else 1
            body = {"m2m:acp": {"pv": {"acr": [{"acor": [self.origin],
                                                "acop": acop}]}}}
            _, got, _ = runner.request(put("", self.acp_path, ADMIN, body),
                                       body)
            if got != UPDATED:
                problems.append("ACP update answered %s" % got)
                break
            flips += 1
        stop.set()
        for t in threads:
            t.join()
        want_last = OK if flips % 2 == 1 else FORBIDDEN
        _, last, _ = runner.request(get("", self.path, self.origin), None)
        if set(answers) - {OK, FORBIDDEN}:
            problems.append("answers %s" % answers)
        if last != want_last:
            problems.append("after the last change %s, want %s"
                            % (last, want_last))
        print("  %-4s %d readers, %d ACP changes: %s" % (
            "FAIL" if problems else "ok", self.readers, flips,
            ", ".join("%s x%d" % kv for kv in sorted(answers.items(),
                                                     key=str))))
        if problems:
            runner.failures.append((self.name, problems))


def get(name, path, origin, expect=OK, **kw):
    return Step(name, "GET", path, origin, expect=expect, **kw)


def delete(name, path, origin, expect=DELETED, **kw):
    return Step(name, "DELETE", path, origin, expect=expect, **kw)


def post(name, path, origin, ty, body, expect=CREATED, **kw):
    return Step(name, "POST", path, origin, ty=ty, body=body, expect=expect,
                **kw)


def put(name, path, origin, body, expect=UPDATED, **kw):
    return Step(name, "PUT", path, origin, body=body, expect=expect, **kw)


def at(rn):
    return CSE + "/" + rn


def scenario():
    """The scenario: setup, then one block per feature (issue 13 item 4)."""
    all_cnts = ["cntData", "cntAll", "cntGroup", "cntIp", "cntRevoke",
                "cntGone", "cntMixed", "cntPair", "cntRi"]
    return [
        # --- AE registration -------------------------------------------
        post("register Calice", CSE, "Calice", 2, ae("alice"),
             check=field_is("m2m:ae", "aei", "Calice")),
        post("register with C: the CSE assigns an AE-ID", CSE, "C", 2,
             ae("anon"), check=lambda b, c: (
                 b["m2m:ae"]["aei"].startswith("C"),
                 "aei %r" % b["m2m:ae"]["aei"])),
        post("register Cmeter-01", CSE, "Cmeter-01", 2, ae("meter01")),
        post("register Cmeter-02", CSE, "Cmeter-02", 2, ae("meter02")),
        post("register Cowner", CSE, "Cowner", 2, ae("owner")),
        get("an AE reads itself (no acpi: tinyIoT's owner rule)",
            at("alice"), "Calice"),
        # the default ACP lets everybody discover from the CSEBase
        put("admin lets all discover under the CSEBase", at("defaultACP"),
            ADMIN, {"m2m:acp": {"pv": {"acr": [
                {"acor": ["all"], "acop": 33},
                {"acor": ["/id-in", "/id-mn"], "acop": 63}]}}}),

        # --- ACPs with pv and pvs ----------------------------------------
        post("ACP with pv and pvs", CSE, ADMIN, 1, acp("acpData", [
            {"acor": ["Calice"], "acop": 63},
            {"acor": ["Cbob"], "acop": 34},
            {"acor": ["Cmeter-*"], "acop": 3}], [
            {"acor": [ADMIN], "acop": 63},
            {"acor": ["Calice"], "acop": 2}]),
            check=field_is("m2m:acp", "rn", "acpData")),
        post("ACP for all", CSE, ADMIN, 1,
             acp("acpAll", [{"acor": ["all"], "acop": 34}])),
        post("ACP with a window", CSE, ADMIN, 1, acp("acpWin", [
            {"acor": ["Cwin"], "acop": 2, "acco": [{"actw": NOW_WINDOW}]},
            {"acor": ["Cwin"], "acop": 4, "acco": [{"actw": NEVER_WINDOW}]}]),
            stock=BAD_REQUEST, why="window"),
        post("ACP with IP ranges", CSE, ADMIN, 1, acp("acpIp", [
            {"acor": ["Cip4"], "acop": 2,
             "acco": [{"acip": {"ipv4": ["127.0.0.1"]}}]},
            {"acor": ["Cip6"], "acop": 2,
             "acco": [{"acip": {"ipv6": ["::1"]}}]},
            {"acor": ["Cnet"], "acop": 2,
             "acco": [{"acip": {"ipv4": ["10.0.0.0/8"]}}]}])),
        post("ACP to revoke", CSE, ADMIN, 1,
             acp("acpRevoke", [{"acor": ["Cdave"], "acop": 2}]),
             save="acpRevoke"),
        post("ACP to delete", CSE, ADMIN, 1,
             acp("acpGone", [{"acor": ["all"], "acop": 2}])),
        post("second ACP to delete", CSE, ADMIN, 1,
             acp("acpGone2", [{"acor": ["all"], "acop": 2}])),
        post("ACP that needs authentication", CSE, ADMIN, 1,
             acp("acpAuth", [{"acor": ["Cauth"], "acop": 2, "acaf": True}]),
             stock=BAD_REQUEST, why="acaf"),
        post("ACP naming a base role", CSE, ADMIN, 1,
             acp("acpRole", [{"acor": ["role:operator"], "acop": 34}]),
             pdp_only=True),

        # --- group resource and an ACP naming it ---------------------------
        post("group of meters", CSE, ADMIN, 9,
             {"m2m:grp": {"rn": "grpMeters", "mt": 2, "mnm": 10,
                          "mid": ["Cmeter-01"]}}, save="grpMeters"),
        post("ACP naming the group", CSE, ADMIN, 1,
             lambda c: acp("acpGroup", [{"acor": [c["grpMeters"]],
                                         "acop": 2}])),

        # --- containers with acpi --------------------------------------------
        post("container cntData", CSE, ADMIN, 3, cnt("cntData",
                                                     [at("acpData")])),
        post("container cntAll", CSE, ADMIN, 3, cnt("cntAll", [at("acpAll")])),
        post("container cntGroup", CSE, ADMIN, 3,
             cnt("cntGroup", [at("acpGroup")])),
        post("container cntWin", CSE, ADMIN, 3, cnt("cntWin", [at("acpWin")]),
             stock=BAD_REQUEST, why="window"),
        post("container cntIp", CSE, ADMIN, 3, cnt("cntIp", [at("acpIp")])),
        post("container cntRevoke", CSE, ADMIN, 3,
             cnt("cntRevoke", [at("acpRevoke")])),
        post("container cntGone", CSE, ADMIN, 3,
             cnt("cntGone", [at("acpGone")])),
        post("container cntMixed", CSE, ADMIN, 3,
             cnt("cntMixed", [at("acpGone2"), at("acpAll")])),
        post("container cntPair", CSE, ADMIN, 3,
             cnt("cntPair", [at("acpData"), at("acpRevoke")])),
        post("container cntAuth", CSE, ADMIN, 3,
             cnt("cntAuth", [at("acpAuth")]), stock=BAD_REQUEST, why="acaf"),
        post("container cntRi (acpi by resource ID)", CSE, ADMIN, 3,
             lambda c: cnt("cntRi", [c["acpRevoke"]])),
        post("container cntBase (a base-policy ACP in acpi)", CSE, ADMIN, 3,
             cnt("cntBase", [at("acpAll"), "acpBaseGuard"]), pdp_only=True),
        post("container cntRole", CSE, ADMIN, 3,
             cnt("cntRole", [at("acpRole")]), pdp_only=True),

        # --- discovery by several originators ----------------------------------
        get("Cbob discovers containers", CSE + "?fu=1&ty=3", "Cbob",
            check=uril_is(["cntData", "cntAll", "cntMixed", "cntPair",
                           "cntBase"]),
            stock_check=uril_is(all_cnts), why="discovery"),
        get("Calice discovers containers", CSE + "?fu=1&ty=3", "Calice",
            check=uril_is(["cntData", "cntAll", "cntMixed", "cntPair",
                           "cntBase"]),
            stock_check=uril_is(all_cnts), why="discovery"),
        get("Ccarol discovers containers", CSE + "?fu=1&ty=3", "Ccarol",
            check=uril_is(["cntAll", "cntMixed", "cntBase"]),
            stock_check=uril_is(all_cnts), why="discovery"),
        get("Cbob may not discover below an ACP", at("acpData") + "?fu=1",
            "Cbob", FORBIDDEN, stock=OK, why="acp-inherits",
            reason="no-rule-matched"),

        # --- retrieve, update, delete by several originators --------------------
        get("Calice retrieves cntData (exact acor)", at("cntData"), "Calice",
            check=field_is("m2m:cnt", "rn", "cntData")),
        get("Cbob retrieves cntData", at("cntData"), "Cbob"),
        get("Ccarol may not retrieve cntData", at("cntData"), "Ccarol",
            FORBIDDEN, reason="no-rule-matched",
            check=dbg_has("originator has no privilege")),
        put("Cbob may not update cntData (acop 34)", at("cntData"), "Cbob",
            {"m2m:cnt": {"lbl": ["bob"]}}, FORBIDDEN,
            reason="no-rule-matched"),
        delete("Cbob may not delete cntData", at("cntData"), "Cbob",
               FORBIDDEN),
        post("Cbob may not create in cntData", at("cntData"), "Cbob", 4,
             {"m2m:cin": {"con": "bob"}}, FORBIDDEN),
        put("Calice updates cntData", at("cntData"), "Calice",
            {"m2m:cnt": {"lbl": ["alice"]}}),
        post("Calice creates a contentInstance", at("cntData"), "Calice", 4,
             {"m2m:cin": {"rn": "cin1", "con": "21.5"}}),
        get("Cbob reads the latest contentInstance (parent's ACPs)",
            at("cntData/la"), "Cbob",
            check=field_is("m2m:cin", "con", "21.5")),
        delete("Cbob may not delete the contentInstance", at("cntData/cin1"),
               "Cbob", FORBIDDEN),
        delete("Calice deletes the contentInstance", at("cntData/cin1"),
               "Calice"),

        # --- all and glob originators ---------------------------------------------
        get("anyone retrieves cntAll (acor all)", at("cntAll"), "Ccarol"),
        put("anyone may not update cntAll", at("cntAll"), "Ccarol",
            {"m2m:cnt": {"lbl": ["x"]}}, FORBIDDEN),
        get("Cmeter-99 retrieves cntData (glob Cmeter-*)", at("cntData"),
            "Cmeter-99"),
        post("Cmeter-01 creates in cntData (glob, create)", at("cntData"),
             "Cmeter-01", 4, {"m2m:cin": {"con": "7"}}),
        get("Cmetering does not match Cmeter-*", at("cntData"), "Cmetering",
            FORBIDDEN),
        get("Cmeter-a/b does not match Cmeter-*", at("cntData"), "Cmeter-a/b",
            FORBIDDEN, stock=OK, why="glob-slash"),

        # --- group members ----------------------------------------------------------
        get("group member Cmeter-01 retrieves cntGroup", at("cntGroup"),
            "Cmeter-01", stock=FORBIDDEN, why="group"),
        get("non-member Cmeter-02 may not", at("cntGroup"), "Cmeter-02",
            FORBIDDEN),
        put("admin adds Cmeter-02 to the group", at("grpMeters"), ADMIN,
            {"m2m:grp": {"mid": ["Cmeter-01", "Cmeter-02"]}}),
        get("new member Cmeter-02 retrieves cntGroup", at("cntGroup"),
            "Cmeter-02", stock=FORBIDDEN, why="group"),
        put("admin removes Cmeter-01 from the group", at("grpMeters"), ADMIN,
            {"m2m:grp": {"mid": ["Cmeter-02"]}}),
        get("former member Cmeter-01 may not", at("cntGroup"), "Cmeter-01",
            FORBIDDEN),

        # --- accessControlWindow ----------------------------------------------------
        get("Cwin retrieves cntWin inside the window", at("cntWin"), "Cwin",
            stock=NOT_FOUND, why="window"),
        put("Cwin may not update outside the window", at("cntWin"), "Cwin",
            {"m2m:cnt": {"lbl": ["w"]}}, FORBIDDEN, stock=NOT_FOUND,
            why="window"),

        # --- acip with the loopback addresses -----------------------------------------
        get("Cip4 from 127.0.0.1", at("cntIp"), "Cip4"),
        get("Cip4 from ::1", at("cntIp"), "Cip4", FORBIDDEN, stock=NO_IPV6,
            why="ipv6", host="::1"),
        get("Cip6 from ::1", at("cntIp"), "Cip6", stock=NO_IPV6, why="ipv6",
            host="::1"),
        get("Cip6 from 127.0.0.1", at("cntIp"), "Cip6", FORBIDDEN),
        get("Cnet from 127.0.0.1 (outside 10.0.0.0/8)", at("cntIp"), "Cnet",
            FORBIDDEN),

        # --- authentication -----------------------------------------------------------
        get("acaf: plain HTTP is unauthenticated", at("cntAuth"), "Cauth",
            FORBIDDEN, stock=NOT_FOUND, why="acaf",
            reason="no-rule-matched"),

        # --- deny rules and roles from the base policy --------------------------------
        get("base deny rule beats an 'all' permit", at("cntBase"), "Cmallory",
            FORBIDDEN, pdp_only=True,
            reason="rule:acpBaseGuard:privileges:0 mallory-banned"),
        get("others still read cntBase", at("cntBase"), "Ccarol",
            pdp_only=True),
        put("role operator updates cntBase", at("cntBase"), "Coperator",
            {"m2m:cnt": {"lbl": ["op"]}}, pdp_only=True),
        put("role viewer may not update", at("cntBase"), "Cviewer",
            {"m2m:cnt": {"lbl": ["view"]}}, FORBIDDEN, pdp_only=True),
        get("role viewer retrieves", at("cntBase"), "Cviewer", pdp_only=True),
        get("role: in a REST ACP's acor", at("cntRole"), "Coperator",
            pdp_only=True),
        get("a junior role does not match role:operator", at("cntRole"),
            "Cviewer", FORBIDDEN, pdp_only=True),

        # --- selfPrivileges -------------------------------------------------------------
        get("pvs lets Calice retrieve the ACP", at("acpData"), "Calice",
            check=field_is("m2m:acp", "rn", "acpData")),
        put("pvs does not let Calice update it", at("acpData"), "Calice",
            {"m2m:acp": {"pv": {"acr": [{"acor": ["Calice"], "acop": 63}]}}},
            FORBIDDEN, reason="no-rule-matched"),
        get("pv does not govern the ACP itself", at("acpData"), "Cbob",
            FORBIDDEN),

        # --- an update that revokes access ---------------------------------------------
        get("Cdave retrieves cntRevoke", at("cntRevoke"), "Cdave"),
        put("admin revokes Cdave's retrieve", at("acpRevoke"), ADMIN,
            {"m2m:acp": {"pv": {"acr": [{"acor": ["Cdave"], "acop": 1}]}}}),
        get("the very next request is denied", at("cntRevoke"), "Cdave",
            FORBIDDEN, reason="no-rule-matched"),

        # --- changing a resource's acpi ---------------------------------------------------
        post("ACP whose selfPrivileges let Calice update it", CSE, ADMIN, 1,
             acp("acpSelfUpd", [{"acor": ["Calice", "Cdan"], "acop": 63}],
                 [{"acor": [ADMIN], "acop": 63},
                  {"acor": ["Calice"], "acop": 4}])),
        post("container cntAcpi", CSE, ADMIN, 3,
             cnt("cntAcpi", [at("acpSelfUpd")])),
        put("Calice adds an ACP to the acpi", at("cntAcpi"), "Calice",
            {"m2m:cnt": {"acpi": [at("acpSelfUpd"), at("acpAll")]}},
            stock=BAD_REQUEST, why="acpi-update"),
        get("... and the added ACP grants", at("cntAcpi"), "Ccarol",
            stock=FORBIDDEN, why="acpi-update"),
        put("Ccarol may not change the acpi", at("cntAcpi"), "Ccarol",
            {"m2m:cnt": {"acpi": [at("acpAll")]}}, FORBIDDEN),
        put("Cdan may update cntAcpi but not its acpi (selfPrivileges)",
            at("cntAcpi"), "Cdan",
            {"m2m:cnt": {"acpi": [at("acpSelfUpd"), at("acpGroup")]}},
            BAD_REQUEST, check=dbg_has("no privilege to update acpi")),

        # --- changes while requests are being decided ----------------------------------
        post("ACP to flip", CSE, ADMIN, 1,
             acp("acpFlip", [{"acor": ["Cflip"], "acop": 2}])),
        post("container cntFlip", CSE, ADMIN, 3,
             cnt("cntFlip", [at("acpFlip")])),
        Concurrent("readers while the ACP flips", at("cntFlip"), "Cflip",
                   at("acpFlip")),

        # --- malformed ACPs are refused --------------------------------------------------
        post("acop 64 is refused", CSE, ADMIN, 1,
             acp("acpBad64", [{"acor": ["all"], "acop": 64}]), BAD_REQUEST),
        post("a malformed window is refused with pdp's message", CSE, ADMIN,
             1, acp("acpBadWin", [{"acor": ["all"], "acop": 2,
                                   "acco": [{"actw": ["* * 25 * * * *"]}]}]),
             BAD_REQUEST, check=dbg_has("acp:"), stock_check=dbg_has(""),
             why="window"),
        get("... and nothing was stored", at("acpBadWin"), ADMIN, NOT_FOUND),
        put("a malformed update is refused", at("acpAll"), ADMIN,
            {"m2m:acp": {"pv": {"acr": [{"acor": ["all"], "acop": 34,
                                         "acco": [{"actw": ["bad"]}]}]}}},
            BAD_REQUEST, check=dbg_has("acp:"),
            stock_check=dbg_has(""), why="window"),
        get("... and the ACP still grants as before", at("cntAll"), "Ccarol"),

        # --- deleting an ACP -----------------------------------------------------------------
        get("Cbob retrieves cntGone", at("cntGone"), "Cbob"),
        get("Cbob retrieves cntMixed", at("cntMixed"), "Cbob"),
        delete("admin deletes acpGone", at("acpGone"), ADMIN),
        delete("admin deletes acpGone2", at("acpGone2"), ADMIN),
        get("a resource naming a deleted ACP is denied", at("cntGone"),
            "Cbob", FORBIDDEN, reason="unknown-acp"),
        get("... even when another of its ACPs grants", at("cntMixed"),
            "Cbob", FORBIDDEN, stock=OK, why="unknown-acp",
            reason="unknown-acp"),

        # --- tinyIoT's own rules where there is no acpi ---------------------------------------
        post("Cowner creates a container with acpi under its AE", at("owner"),
             "Cowner", 3, cnt("box", [at("acpAll")])),
        post("Cowner creates a container without acpi", at("owner"),
             "Cowner", 3, cnt("free")),
        put("the parent AE updates its container without acpi",
            at("owner/free"), "Cowner", {"m2m:cnt": {"lbl": ["o"]}}),
        put("with acpi, the ACPs decide for the parent AE too",
            at("owner/box"), "Cowner", {"m2m:cnt": {"lbl": ["o"]}},
            FORBIDDEN, stock=UPDATED, why="parent-ae"),
        put("the admin originator bypasses ACPs", at("cntRevoke"), ADMIN,
            {"m2m:cnt": {"lbl": ["admin"]}}),

        # --- originator ID forms (last: stock dies here) -----------------------------------
        post("ACP naming an AE in SP-relative form", CSE, ADMIN, 1,
             acp("acpSpRel", [{"acor": ["/tinyiot/Cspr"], "acop": 2}])),
        post("container cntSpRel", CSE, ADMIN, 3,
             cnt("cntSpRel", [at("acpSpRel")])),
        get("CSE-relative originator, SP-relative acor", at("cntSpRel"),
            "Cspr"),
        get("SP-relative originator, SP-relative acor", at("cntSpRel"),
            "/tinyiot/Cspr", stock=FORBIDDEN, why="id-forms"),
        get("SP-relative originator, CSE-relative acor", at("cntData"),
            "/tinyiot/Cbob", stock=FORBIDDEN, why="id-forms"),
        get("an AE of another CSE is another originator", at("cntSpRel"),
            "/id-mn/Cspr", FORBIDDEN),
        get("a deny rule cannot be escaped by another ID form", at("cntBase"),
            "/tinyiot/Cmallory", FORBIDDEN, pdp_only=True,
            reason="rule:acpBaseGuard:privileges:0 mallory-banned"),
        get("absolute originator of this SP", at("cntData"),
            "//tinyiot.example.com/tinyiot/Calice", stock=CRASH,
            why="absolute-id"),
    ]


def after_restart():
    """Decisions that must hold after a restart on the same database."""
    return [
        get("after restart: Calice retrieves cntData", at("cntData"),
            "Calice"),
        get("after restart: Ccarol still may not", at("cntData"), "Ccarol",
            FORBIDDEN, reason="no-rule-matched"),
        get("after restart: the revocation holds", at("cntRevoke"), "Cdave",
            FORBIDDEN),
        get("after restart: the deleted ACP stays deleted", at("cntGone"),
            "Cbob", FORBIDDEN, reason="unknown-acp"),
        get("after restart: group members come back", at("cntGroup"),
            "Cmeter-02"),
        get("after restart: base policy again", at("cntBase"), "Cmallory",
            FORBIDDEN, reason="rule:acpBaseGuard:privileges:0 mallory-banned"),
    ]


def without_base():
    """Decisions after a restart without the base policy file."""
    return [
        get("no base: REST ACPs still decide", at("cntData"), "Calice"),
        get("no base: a resource naming a base ACP is denied", at("cntBase"),
            "Ccarol", FORBIDDEN, reason="unknown-acp"),
        get("no base: an ACP naming a base role was left out at start",
            at("cntRole"), "Coperator", FORBIDDEN, reason="unknown-acp"),
    ]


# ---- the CSE process --------------------------------------------------------

def have_ipv6_loopback():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
            s6.bind(("::1", 0))
        return True
    except OSError:
        return False


def free_port(ipv6):
    """A port free on 127.0.0.1 (and ::1 when the host has it)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4:
            s4.bind(("127.0.0.1", 0))
            port = s4.getsockname()[1]
            if not ipv6:
                return port
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                    s6.bind(("::1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


class Cse:
    def __init__(self, outdir, stock, data, log_path, port):
        self.outdir, self.stock, self.data = outdir, stock, data
        self.log_path, self.port = log_path, port
        self.proc = None

    def start(self, base=True):
        args = [os.path.join(HERE, "run.sh"), self.outdir, str(self.port),
                self.data]
        if not self.stock and base:
            args.append(os.path.join(HERE, "e2e-base.yaml"))
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("CSE exited with %d (log: %s)"
                                   % (self.proc.returncode, self.log_path))
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("CSE did not listen within 30 s")

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        """SIGTERM; the exit status (None if it had to be killed)."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.log.close()
                return None
        self.log.close()
        return self.proc.returncode

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")


# ---- requests -----------------------------------------------------------------

class Runner:
    def __init__(self, cse, stock, ipv6):
        self.cse, self.stock, self.ipv6 = cse, stock, ipv6
        self.ctx, self.n = {}, 0
        self.failures, self.differences = [], []

    def request(self, step, body):
        self.n += 1
        rqi = "e2e-%d" % self.n
        headers = {"X-M2M-Origin": step.origin, "X-M2M-RI": rqi,
                   "X-M2M-RVI": "3", "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json" + (
                ";ty=%d" % step.ty if step.ty else "")
        conn = http.client.HTTPConnection(step.host, self.cse.port,
                                          timeout=10)
        try:
            conn.request(step.method, "/" + step.path, body=data,
                         headers=headers)
            resp = conn.getresponse()
            text = resp.read().decode("utf-8", "replace")
            rsc = resp.getheader("X-M2M-RSC")
            rsc = int(rsc) if rsc else None
        except ConnectionRefusedError:
            return rqi, NO_IPV6 if step.host == "::1" else "refused", None
        except (ConnectionResetError, http.client.RemoteDisconnected):
            time.sleep(0.2)
            return rqi, CRASH if not self.cse.alive() else "reset", None
        finally:
            conn.close()
        try:
            parsed = json.loads(text) if text.strip() else None
        except ValueError:
            parsed = text
        return rqi, rsc, parsed

    def check_reason(self, step, rqi):
        """pdp's reason for the denial, from the CSE log."""
        marker = "deny rqi=%s " % rqi
        for line in self.cse.log_text().splitlines():
            if marker in line:
                got = line[line.rindex(": ") + 2:].strip()
                return got == step.reason, "reason %r, want %r" % (
                    got, step.reason)
        return False, "no deny line for %s in the log" % rqi

    def run(self, step):
        if isinstance(step, Concurrent):
            if self.stock:
                # stock tinyIoT updates an ACP while other threads read it
                # unsynchronized: on a loaded host it crashed 4 times in 219
                # changes (2026-12-05), and every later step then failed
                print("  skip (stock tinyIoT can crash when an ACP changes "
                      "under concurrent readers): %s" % step.name)
                return
            step.run(self)
            return
        if self.stock and step.pdp_only:
            print("  skip (stock has no base policy): %s" % step.name)
            return
        if step.host == "::1" and not self.ipv6:
            print("  SKIP (this host has no IPv6 loopback): %s" % step.name)
            return
        body = step.body(self.ctx) if callable(step.body) else step.body
        want = step.expect
        if self.stock and step.stock is not None:
            want = step.stock
        check = step.check
        if self.stock and step.stock_check is not None:
            check = step.stock_check
        elif self.stock and step.stock is not None:
            check = None  # stock answers otherwise: its body differs too
        rqi, got, parsed = self.request(step, body)
        problems = []
        if got != want:
            problems.append("X-M2M-RSC %s, want %s" % (got, want))
        elif check is not None:
            ok, msg = check(parsed, self.ctx)
            if not ok:
                problems.append(msg)
        if (not problems and not self.stock and step.reason
                and got == FORBIDDEN):
            ok, msg = self.check_reason(step, rqi)
            if not ok:
                problems.append(msg)
        if step.save and isinstance(parsed, dict):
            for v in parsed.values():
                if isinstance(v, dict) and "ri" in v:
                    self.ctx[step.save] = v["ri"]
        if self.stock and (step.stock is not None or step.stock_check):
            self.differences.append((step, got))
        status = "FAIL" if problems else "ok"
        print("  %-4s %s %s as %s -> %s%s" % (
            status, step.method, step.path, step.origin, got,
            "" if not problems else "  [" + "; ".join(problems) + "]"))
        if problems:
            self.failures.append((step.name, problems))


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    flags = {a for a in argv if a.startswith("--")}
    if len(args) != 1 or not flags <= {"--stock", "--keep"}:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    for step in scenario():
        assert step.why is None or step.why in DIFFERENCES, step.why
    outdir = os.path.abspath(args[0])
    stock = "--stock" in flags
    work = tempfile.mkdtemp(prefix="tinyiot-e2e-")
    data, log_path = os.path.join(work, "data"), os.path.join(work, "cse.log")
    ipv6 = have_ipv6_loopback()
    cse = Cse(outdir, stock, data, log_path, free_port(ipv6))
    runner = Runner(cse, stock, ipv6)
    print("tinyIoT %s on port %d, data and log in %s" % (
        "stock" if stock else "with pdp", cse.port, work))
    status = None
    try:
        cse.start()
        for step in scenario():
            runner.run(step)
        status = cse.stop()
        if not stock:
            if status != 0:
                runner.failures.append(("SIGTERM stops the CSE cleanly",
                                        ["exit status %s" % status]))
            print("restart on the same database:")
            cse.start()
            for step in after_restart():
                runner.run(step)
            status = cse.stop()
            if status != 0:
                runner.failures.append(("SIGTERM after restart",
                                        ["exit status %s" % status]))
            print("restart without the base policy:")
            cse.start(base=False)
            for step in without_base():
                runner.run(step)
            cse.stop()
    finally:
        if cse.alive():
            cse.stop()
    if stock:
        print("\nwhere stock tinyIoT answers differently:")
        for step, got in runner.differences:
            print("  %-52s stock %-8s pdp %-5s %s" % (
                step.name, got, step.expect, step.why))
        print()
        for key in sorted({step.why for step, _ in runner.differences}):
            print("  %s: %s" % (key, DIFFERENCES[key]))
    if runner.failures:
        print("\n%d step(s) failed (log: %s):" % (len(runner.failures),
                                                   log_path))
        for name, problems in runner.failures:
            print("  %s: %s" % (name, "; ".join(problems)))
        return 1
    print("\nall steps passed")
    if "--keep" not in flags:
        subprocess.call(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

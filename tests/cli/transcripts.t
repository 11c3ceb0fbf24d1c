# CLI transcripts: `$ command` lines run in tests/cli with $PDP as the
# binary; the lines after it are the exact expected stdout+stderr, and
# `[exit N]` the expected status (0 when absent). The cases at the end
# cover option parsing (getopt_long): --opt=value, --, '-' for standard
# input and output, and the messages for a wrong command line. The last
# cases load small-format4.img, written by the release before the section
# padding of image format 5/6 (pdp compile of small.yaml): old images load
# and decide as the policy does.
$ $PDP compile -o /dev/null bad.yaml
bad.yaml:5:9: error: rule has no 'operations' (e.g. [retrieve] or all) [E-MISSING]
        - originators: [all]
          ^
bad.yaml:6:9: error: unknown key 'operatons' in rule [E-UNKNOWN-KEY]
          operatons: [retrieve]
          ^
  hint: did you mean 'operations'?
bad.yaml:8:29: error: invalid schedule '* * 8-25 * * * *': hour: 25 is out of range 0-23 [E-SCHED]
            - window: ["* * 8-25 * * * *"]
                              ^
[exit 1]
$ $PDP decide -p small.yaml small-requests.yaml
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny rule:acp-a:privileges:1
deny bad-request 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP decide --json -p small.yaml small-requests.yaml
{"decision":"permit","reason":"rule:acp-a:privileges:0","rule_id":"read","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"no-rule-matched","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"rule:acp-a:privileges:1","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
[exit 2]
$ $PDP explain --no-clock -p small.yaml small-requests.yaml
request at line 1: originator CAE-a, operation retrieve
  rule:acp-a:privileges:0 read (permit)
    operations held, originators held, authenticated held, objects held, contexts held, when held
    => applies
  rule:acp-a:privileges:1 (deny)
    operations held, originators failed, authenticated held, objects held, contexts held, when held
    => does not apply
decision: permit rule:acp-a:privileges:0 read

request at line 2: originator CAE-bee, operation retrieve
  rule:acp-a:privileges:0 read (permit)
    operations held, originators held, authenticated held, objects held, contexts held, when indeterminate
    attribute originator.clearance is missing from the request
    => indeterminate
  rule:acp-a:privileges:1 (deny)
    operations held, originators failed, authenticated held, objects held, contexts held, when held
    => does not apply
decision: deny no-rule-matched
what would grant it (smallest change first):
  rule:acp-a:privileges:0 read: grants with 1 change
    unmet:   when: {attr: originator.clearance, ge: 2}
    change:  originator.clearance: 2

request at line 3: originator CAE-evil, operation delete
  rule:acp-a:privileges:0 read (permit)
    operations failed, originators failed, authenticated held, objects held, contexts held, when indeterminate
    attribute originator.clearance is missing from the request
    => does not apply
  rule:acp-a:privileges:1 (deny)
    operations held, originators held, authenticated held, objects held, contexts held, when held
    => applies
decision: deny rule:acp-a:privileges:1
what would grant it: nothing: no permit rule of these ACPs can apply to this originator, operation and target

request: bad request: 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
deny bad-request 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP compile --dump small.yaml
pdp image format 5
strings 12 (108 bytes), acps 1, rules 2, roles 0, principals 2, groups 0, constraints 0, attributes 7, conditions 1, regexes 0
attributes:
  0 originator.id: string (built-in)
  1 operation: string (built-in)
  2 resource.type: string (built-in)
  3 env.time: time (built-in)
  4 env.ip: ip (built-in)
  5 env.country: string (built-in)
  6 originator.clearance: int
roles (juniors first):
constraints:
groups:
principals:
  CAE-a:
  CAE-evil:
acps:
  acp-a
   privileges: 2
    [0] permit ops=retrieve id=read
      originators: CAE-a glob:CAE-b*
      when: (ge originator.clearance 2)
    [1] deny ops=all
      originators: CAE-evil
   self: 0
$ $PDP decide -i /nonexistent.pdpi small-requests.yaml
pdp: cannot open image /nonexistent.pdpi
[exit 66]
$ $PDP decide -i small.yaml small-requests.yaml
pdp: small.yaml: image rejected: not a pdp image: malformed or truncated CBOR
[exit 65]
$ $PDP decide --frobnicate
pdp decide: unknown option '--frobnicate'
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP lint --format json bad.yaml
{"file":"bad.yaml","line":5,"column":9,"severity":"error","code":"E-MISSING","message":"rule has no 'operations' (e.g. [retrieve] or all)"}
{"file":"bad.yaml","line":6,"column":9,"severity":"error","code":"E-UNKNOWN-KEY","message":"unknown key 'operatons' in rule","hint":"did you mean 'operations'?"}
{"file":"bad.yaml","line":8,"column":29,"severity":"error","code":"E-SCHED","message":"invalid schedule '* * 8-25 * * * *': hour: 25 is out of range 0-23"}
[exit 1]
$ $PDP explain --json --no-clock -p small.yaml small-requests.yaml
{"line":1,"col":3,"time_defaulted":false,"rules":[{"rule":"rule:acp-a:privileges:0","id":"read","effect":"permit","operations":"held","originators":"held","authenticated":"held","objects":"held","contexts":"held","when":"held","result":"applies"},{"rule":"rule:acp-a:privileges:1","effect":"deny","operations":"held","originators":"failed","authenticated":"held","objects":"held","contexts":"held","when":"held","result":"does-not-apply"}],"decision":{"decision":"permit","reason":"rule:acp-a:privileges:0","rule_id":"read","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}}
{"line":2,"col":3,"time_defaulted":false,"rules":[{"rule":"rule:acp-a:privileges:0","id":"read","effect":"permit","operations":"held","originators":"held","authenticated":"held","objects":"held","contexts":"held","when":"indeterminate","result":"indeterminate","missing_attr":"originator.clearance"},{"rule":"rule:acp-a:privileges:1","effect":"deny","operations":"held","originators":"failed","authenticated":"held","objects":"held","contexts":"held","when":"held","result":"does-not-apply"}],"decision":{"decision":"deny","reason":"no-rule-matched","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"},"would_grant":{"outcome":"can-grant","candidates":[{"rule":"rule:acp-a:privileges:0","id":"read","status":"grants","unmet":["when: {attr: originator.clearance, ge: 2}"],"changes":[{"change":"attr","attr":"originator.clearance","value":2}],"clears":[],"denied_by":[]}]}}
{"line":3,"col":3,"time_defaulted":false,"rules":[{"rule":"rule:acp-a:privileges:0","id":"read","effect":"permit","operations":"failed","originators":"failed","authenticated":"held","objects":"held","contexts":"held","when":"indeterminate","result":"does-not-apply","missing_attr":"originator.clearance"},{"rule":"rule:acp-a:privileges:1","effect":"deny","operations":"held","originators":"held","authenticated":"held","objects":"held","contexts":"held","when":"held","result":"applies"}],"decision":{"decision":"deny","reason":"rule:acp-a:privileges:1","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"},"would_grant":{"outcome":"no-candidate","candidates":[]}}
{"line":4,"col":3,"rules":[],"decision":{"decision":"deny","reason":"bad-request","error":"4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}}
[exit 2]
$ $PDP decide -p small.yaml small-requests.jsonl
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny bad-request 4:38: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP decide -p small.yaml broken-line.jsonl
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny bad-request 5:24: YAML syntax error: a { mapping is not closed, or its entries are not separated by commas
deny rule:acp-a:privileges:1
[exit 2]
$ $PDP decide -p small.yaml bad-lines.jsonl
permit rule:acp-a:privileges:0 read
deny bad-request 2:1: a request is a mapping (a JSON object), not null
deny bad-request 3:1: a request is a mapping (a JSON object), not a list
deny bad-request 4:1: the line holds no request (a JSON object)
deny bad-request 7:49: YAML syntax error: a { mapping is not closed, or its entries are not separated by commas
deny bad-request 8:1: a request is a mapping (a JSON object), not a string
deny rule:acp-a:privileges:1
[exit 2]
$ $PDP decide --json -p small.yaml < bad-lines.jsonl
{"decision":"permit","reason":"rule:acp-a:privileges:0","rule_id":"read","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"2:1: a request is a mapping (a JSON object), not null","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"3:1: a request is a mapping (a JSON object), not a list","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"4:1: the line holds no request (a JSON object)","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"7:49: YAML syntax error: a { mapping is not closed, or its entries are not separated by commas","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"bad-request","error":"8:1: a request is a mapping (a JSON object), not a string","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
{"decision":"deny","reason":"rule:acp-a:privileges:1","image":"c9c4d89c90f89fffce554e5f85c9d803e71c26530f70ff03d7b9977b4521607f"}
[exit 2]
$ printf 'null\n{"originator": "CAE-evil", "operation": "delete", "target": {"acps": ["acp-a"]}}\n' | $PDP decide --jsonl -p small.yaml
deny bad-request 1:1: a request is a mapping (a JSON object), not null
deny rule:acp-a:privileges:1
[exit 2]
$ echo '{"originator": "CAE-a", "operation": "retrieve", "target": {"acps": ["acp-a"]}, "attrs": {"originator.clearance": "3"}}' | $PDP explain --no-clock -p small.yaml
request at line 1: originator CAE-a, operation retrieve
  note: attribute 'originator.clearance' is a string, not int: tests reading it are indeterminate
  rule:acp-a:privileges:0 read (permit)
    operations held, originators held, authenticated held, objects held, contexts held, when indeterminate
    attribute originator.clearance has a value of the wrong type
    => indeterminate
  rule:acp-a:privileges:1 (deny)
    operations held, originators failed, authenticated held, objects held, contexts held, when held
    => does not apply
decision: deny no-rule-matched
what would grant it (smallest change first):
  rule:acp-a:privileges:0 read: grants with 1 change
    unmet:   when: {attr: originator.clearance, ge: 2}
    change:  originator.clearance: 2

$ d=$(mktemp -d); q=$(printf '%065000d' 0 | tr 0 Q); printf 'pdp: 1\nacps:\n  - id: %s\n    privileges:\n      - { originators: [all], operations: all, id: %s }\n' "$q" "$q" > $d/p.yaml; printf '{"originator": "CAE-x", "operation": 2, "target": {"acps": ["%s"]}}\n' "$q" > $d/r.jsonl; $PDP explain --json --no-clock -p $d/p.yaml $d/r.jsonl | tr -d Q; $PDP decide -p $d/p.yaml $d/r.jsonl | tr -d Q; $PDP decide --json -p $d/p.yaml $d/r.jsonl | tr -d Q; $PDP audit -p $d/p.yaml --subject CAE-x | tr -d Q | tr -s ' '; rm -rf $d
{"line":1,"col":1,"time_defaulted":false,"rules":[{"rule":"rule::privileges:0","id":"","effect":"permit","operations":"held","originators":"held","authenticated":"held","objects":"held","contexts":"held","when":"held","result":"applies"}],"decision":{"decision":"permit","reason":"rule::privileges:0","rule_id":"","image":"81161515e503fe4a8d4891d63228cb1fdb8fcf427342835e25f3707b8e42bb58"}}
permit rule::privileges:0 
{"decision":"permit","reason":"rule::privileges:0","rule_id":"","image":"81161515e503fe4a8d4891d63228cb1fdb8fcf427342835e25f3707b8e42bb58"}
subject CAE-x
assigned roles: -
authorized roles: -
active roles: - (assigned)
active closure: -

ACP SECTION OPERATION GRANT VIA RULE OVERRIDES CONDITIONS
 privileges create unconditional all rule::privileges:0 - -
 privileges retrieve unconditional all rule::privileges:0 - -
 privileges update unconditional all rule::privileges:0 - -
 privileges delete unconditional all rule::privileges:0 - -
 privileges notify unconditional all rule::privileges:0 - -
 privileges discover unconditional all rule::privileges:0 - -
$ q=$(printf '%060000d' 0 | tr 0 Q); yes "{\"originator\": \"CAE-a\", \"operation\": \"retrieve\", \"target\": {\"acps\": [\"acp-a\"]}, \"attrs\": {\"x.pad\": \"$q\"}}" | head -n 1200 | $PDP decide -p small.yaml | sort | uniq -c | awk '{$1 = $1; print}'
1200 deny no-rule-matched
$ q=$(printf '%01100000d' 0 | tr 0 Q); printf '{"originator": "%s"}\n{"originator": "CAE-evil", "operation": "delete", "target": {"acps": ["acp-a"]}}\n' "$q" | $PDP decide -p small.yaml
deny bad-request 1:1: the line is longer than 1048576 bytes, the limit for one request (docs/limits.md)
deny rule:acp-a:privileges:1
[exit 2]
$ q=$(printf '%01100000d' 0 | tr 0 Q); printf -- '- {originator: CAE-evil, operation: delete, target: {acps: [acp-a]}}\n- originator: %s\n- {originator: CAE-a, operation: delete, target: {acps: [acp-a]}}\n' "$q" | $PDP decide -p small.yaml
deny rule:acp-a:privileges:1
deny bad-request 2:2: more than 1048576 bytes from here without a complete request, the limit for one request (docs/limits.md)
[exit 2]
$ b=$(printf '[%.0s' $(seq 70)); e=$(printf ']%.0s' $(seq 70)); printf '{"originator": "CAE-a", "operation": "retrieve", "target": {"acps": ["acp-a"]}, "attrs": {"x": %s1%s}}\n{"originator": "CAE-evil", "operation": "delete", "target": {"acps": ["acp-a"]}}\n' "$b" "$e" | $PDP decide -p small.yaml
deny bad-request 1:158: YAML nesting deeper than 64 levels; flatten the request
deny rule:acp-a:privileges:1
[exit 2]
$ $PDP audit -p small.yaml --subject ""
pdp audit: pdp decide answers every request of this subject deny bad-request: no originator; no grants to list
[exit 64]
$ $PDP audit -p small.yaml --subject $(printf '%01025d' 0)
pdp audit: pdp decide answers every request of this subject deny bad-request: too many ACPs or roles, or an originator too long (docs/limits.md); no grants to list
[exit 64]
$ d=$(mktemp -d); cp small.yaml ../../policies/metering.yaml ../../policies/native-acp.json $d; cd $d; $PDP compile -o p.pdpi small.yaml; cp p.pdpi good; sh -c 'ulimit -f 2; "$0" compile -o p.pdpi metering.yaml native-acp.json; echo "exit $?"' "$PDP" 2>&1 | cat; cmp p.pdpi good && ls -A; cd /; rm -rf $d
pdp compile: cannot write p.pdpi: File too large; the file there is unchanged
exit 66
good
metering.yaml
native-acp.json
p.pdpi
small.yaml
$ $PDP decide -i /dev/zero small-requests.yaml
pdp: /dev/zero: image rejected: not a pdp image: malformed or truncated CBOR
[exit 65]
$ d=$(mktemp -d); truncate -s 300M $d/big.pdpi; $PDP decide -i $d/big.pdpi small-requests.yaml 2>&1 | sed "s|$d/||"; rm -rf $d
pdp: image big.pdpi is larger than the 256 MiB limit (docs/limits.md)
$ $PDP compile -o /dev/null misspelt.yaml
misspelt.yaml:9:54: error: unknown operation 'retreive' [E-OPERATION]
        - { originators: [role:operater], operations: [retreive] }
                                                       ^
  hint: did you mean 'retrieve'?
[exit 1]
$ $PDP compile -o /dev/null misspelt-names.yaml
misspelt-names.yaml:9:25: error: undeclared role 'operater'; declare it under roles: [E-UNDECLARED]
        - { originators: [role:operater], operations: [retrieve] }
                          ^
  hint: did you mean 'operator'?
misspelt-names.yaml:10:62: error: undeclared attribute 'clearence'; declare it under attributes: with its type [E-UNDECLARED]
        - { originators: [all], operations: all, when: { attr: clearence, ge: 2 } }
                                                               ^
  hint: did you mean 'clearance'?
[exit 1]
$ $PDP decide -p small.yaml expect-key.yaml
deny bad-request 1:72: unknown request key 'expect'
[exit 2]
$ $PDP test small.test.yaml
FAIL small.test.yaml:7: wrong expectation
  request:  {originator: CAE-evil, operation: delete, target: {acps: [acp-a]}}
  expected: permit
  got:      deny rule:acp-a:privileges:1
  trace:
      rule:acp-a:privileges:0 read (permit)
        operations failed, originators failed, authenticated held, objects held, contexts held, when indeterminate
        attribute originator.clearance is missing from the request
        => does not apply
      rule:acp-a:privileges:1 (deny)
        operations held, originators held, authenticated held, objects held, contexts held, when held
        => applies
1 passed, 1 failed
[exit 1]
$ $PDP test bad.test.yaml
bad.test.yaml:5:5: error: unknown case key 'expected' (name, request, expect, reason, rule_id)
0 passed, 0 failed (1 test file could not be run)
[exit 2]
$ $PDP diff small.yaml small-v2.yaml
acp acp-a
  gained            CAE-a privileges discover: denied -> if when: {attr: originator.clearance, ge: 2}
  gained            CAE-c privileges retrieve: denied -> unconditional
  gained            CAE-b* privileges discover: denied -> if when: {attr: originator.clearance, ge: 2}
3 grant changes (3 gained, 0 lost, 0 now-conditional, 0 now-unconditional, 0 condition-changed) in 1 changed ACPs; 0 declaration changes
$ $PDP diff --fail-on widen small.yaml small-v2.yaml
acp acp-a
  gained            CAE-a privileges discover: denied -> if when: {attr: originator.clearance, ge: 2}
  gained            CAE-c privileges retrieve: denied -> unconditional
  gained            CAE-b* privileges discover: denied -> if when: {attr: originator.clearance, ge: 2}
3 grant changes (3 gained, 0 lost, 0 now-conditional, 0 now-unconditional, 0 condition-changed) in 1 changed ACPs; 0 declaration changes
pdp diff: the new policy widens access (--fail-on widen)
[exit 1]
$ $PDP diff --format json small-v2.yaml small.yaml
{"changes":[{"kind":"lost","subject_kind":"id","subject":"CAE-a","acp":"acp-a","section":"privileges","operation":"discover","old":"if when: {attr: originator.clearance, ge: 2}","new":"denied","widens":false},{"kind":"lost","subject_kind":"id","subject":"CAE-c","acp":"acp-a","section":"privileges","operation":"retrieve","old":"unconditional","new":"denied","widens":false},{"kind":"lost","subject_kind":"glob","subject":"CAE-b*","acp":"acp-a","section":"privileges","operation":"discover","old":"if when: {attr: originator.clearance, ge: 2}","new":"denied","widens":false}],"declarations":[],"acps_changed":1}
$ $PDP lint --format=json --werror small.yaml | head -c 60; echo
{"file":"small.yaml","line":4,"column":9,"severity":"warning
$ $PDP decide -p small.yaml -i
pdp decide: option '-i' needs a value
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP decide --image
pdp decide: option '--image' needs a value (--image VALUE or --image=VALUE)
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP decide --json=yes -p small.yaml
pdp decide: option '--json' takes no value
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP decide --js -p small.yaml
pdp decide: option '--js' is ambiguous (--json, --jsonl)
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP compile --format=xml small.yaml
pdp compile: --format: unknown value 'xml' (text or json)
Try 'pdp compile --help' for the options.
[exit 64]
$ $PDP compile -q small.yaml
pdp compile: unknown option '-q'
Try 'pdp compile --help' for the options.
[exit 64]
$ $PDP inspect --version
pdp 0.1.0
$ $PDP compile -o - small.yaml | $PDP decide -i - small-requests.yaml
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny rule:acp-a:privileges:1
deny bad-request 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP compile --output=- --revision=7 small.yaml | $PDP inspect - | sed -n 3p
revision  7
$ $PDP decide -p - small-requests.yaml < small.yaml
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny rule:acp-a:privileges:1
deny bad-request 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP decide -p - < small.yaml
pdp decide: standard input holds the policy (-p -): give the input to read as a file
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP decide -p - - < small.yaml
pdp decide: standard input ('-') can be read by one input only
Try 'pdp decide --help' for the options.
[exit 64]
$ $PDP replay -p - < store-base.yaml
pdp replay: standard input holds the policy (-p -): give the input to read as a file
Try 'pdp replay --help' for the options.
[exit 64]
$ printf 'pdp: 1\nacps:\n  - id: a\n    privileges:\n      - {originators: [all], operations: [retreive]}\n' | $PDP lint -
<stdin>:5:43: error: unknown operation 'retreive' [E-OPERATION]
        - {originators: [all], operations: [retreive]}
                                            ^
  hint: did you mean 'retrieve'?
[exit 1]
$ d=$(mktemp -d) && cp small.yaml "$d/-s.yaml" && cd "$d" && $PDP compile --output=/dev/null -- -s.yaml; echo "exit $?"; rm -rf "$d"
exit 0
$ $PDP diff --format=json - small-v2.yaml < small.yaml | head -c 40; echo
{"changes":[{"kind":"gained","subject_ki
$ $PDP test - < small.test.yaml | tail -1
1 passed, 1 failed
$ $PDP report -p - --html=- < small.yaml | head -c 15; echo
<!DOCTYPE html>
$ $PDP diff small.yaml
pdp diff: give exactly two files, OLD and NEW (one of them may be - for standard input)
Try 'pdp diff --help' for the options.
[exit 64]
$ printf '[{"originator":"CAE-a","operation":"retrieve","target":{"acps":["acp-a"]}}, {"originator":"CAE-b","operation":"retrieve","target":{"acps":["acp-a"]}}]\n' | $PDP explain --json --no-clock -p small.yaml | cut -c1-20
{"line":1,"col":2,"t
{"line":1,"col":77,"
$ $PDP audit -p small.yaml --subject CAE-a --subject CAE-b
pdp audit: --subject given twice ('CAE-a', 'CAE-b'): one query answers one; run pdp audit once for each
[exit 64]
$ $PDP audit -p small.yaml --role r --role s
pdp audit: --role given twice ('r', 's'): one query answers one; run pdp audit once for each
[exit 64]
$ $PDP audit -p small.yaml --acp=acpa
pdp audit: no ACP 'acpa' in the policy; did you mean 'acp-a'?
[exit 64]
$ $PDP audit --policy=small.yaml --acps=acp-a,acp-x --subject CAE-a
pdp audit: no ACP 'acp-x' in the policy; did you mean 'acp-a'?
[exit 64]
$ $PDP audit -p small.yaml extra --constraints
pdp audit: unexpected operand 'extra' (policies go with -p POLICY)
Try 'pdp audit --help' for the options.
[exit 64]
$ $PDP decide -i small-format4.img small-requests.yaml
permit rule:acp-a:privileges:0 read
deny no-rule-matched
deny rule:acp-a:privileges:1
deny bad-request 4:35: unknown operation 'fly' (create, retrieve, update, delete, notify, discover or 1,2,4,8,16,32)
[exit 2]
$ $PDP inspect small-format4.img | head -2
image     small-format4.img (838 bytes, format 4)
id        ad274e98d90ee14899a82f14703b1a041efc6c60d376f0248f6ca3492abbf0d1
$ $PDP compile -o - small.yaml | $PDP inspect - | head -1
image     - (1051 bytes, format 6)

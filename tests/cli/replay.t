# `pdp replay`: a live store driven by a stream of changes and decisions
# (one output line per input line; refused changes change nothing).
$ $PDP replay -p store-base.yaml store-stream.jsonl
deny unknown-acp
ok
permit rule:acp-1:privileges:0
error store-stream.jsonl:4: acp:acp-1:1:51: acop 99 is out of range 1-63 [E-OPERATION]
permit rule:acp-1:privileges:0
ok
ok
ok
ok
permit rule:acp-2:privileges:0
ok
ok
error store-stream.jsonl:14: acp:no-such-acp: there is no ACP 'no-such-acp' to remove [E-STORE]
error store-stream.jsonl:15: the transaction holds a refused change; nothing of it was applied
permit rule:acp-2:privileges:0
error store-stream.jsonl:17: group:meters: group 'meters' is declared by the base policy; set its members to an empty list instead [E-STORE]
ok
deny unknown-acp
error store-stream.jsonl:20: unknown op 'frobnicate'
[exit 2]
$ $PDP replay --json -p store-base.yaml store-stream.jsonl 2>&1 | head -3
{"decision":"deny","reason":"unknown-acp"}
ok
{"decision":"permit","reason":"rule:acp-1:privileges:0"}
$ $PDP replay store-stream.jsonl
pdp replay: give the base policy with -p POLICY (or --dir DIR of a persisted store)
Try 'pdp replay --help' for the options.
[exit 64]
$ d=$(mktemp -d) && printf '%s\n' '{"op":"put","acp":{"m2m:acp":{"ri":"kept","pv":{"acr":[{"acor":["all"],"acop":2}]}}}}' | $PDP replay -p store-base.yaml --dir "$d/s" && printf '%s\n' '{"op":"decide","request":{"originator":"CAE-q","operation":"retrieve","target":{"acps":["kept"]}}}' | $PDP replay --dir "$d/s"; rm -rf "$d"
ok
permit rule:kept:privileges:0

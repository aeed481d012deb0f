#!/usr/bin/env python3
"""The contract test of the console's API, from outside the Rust code.

Drives a running console through /api/v1 as a source system would, and checks every answer
against the OpenAPI document the console serves: the status must be one the document lists for
that operation, and the JSON must match its schema. At the end every documented operation must
have been exercised, so neither the code nor the document can drift from the other.

Standard library only (urllib), so it runs on a bare Debian with python3. Started by
tests/it/console_api.rs, which sets these variables:
  BASE           http://127.0.0.1:PORT
  AREA           the area of the tokens below
  BOARD          a board in AREA
  TOKEN_EDITOR   editor of AREA (submit into the queue)
  TOKEN_APPROVER approver of AREA (publish at once)
  TOKEN_OTHER    approver of another area
  TOKEN_RATE     a token used only to reach the rate limit
  CAP_FILE       a CAP 1.2 alert (status Actual)
  CAP_FILE_EXPIRED  the same alert, ended already
"""

import json
import os
import re
import sys
import time
import urllib.error
import urllib.request

ENV = os.environ
BASE = ENV["BASE"]
AREA = ENV["AREA"]
FAILURES = []
EXERCISED = set()


def fail(msg):
    FAILURES.append(msg)
    print("FAIL:", msg, file=sys.stderr)


def http(method, path, token=None, body=None, ctype=None):
    req = urllib.request.Request(BASE + path, method=method, data=body)
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


status, _, raw = http("GET", "/api/v1/openapi.json")
assert status == 200, f"the OpenAPI document: {status}"
DOC = json.loads(raw)


def resolve(schema):
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = DOC["components"]["schemas"][name]
    return schema


TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def validate(value, schema, where):
    schema = resolve(schema)
    types = schema.get("type")
    if types is not None:
        types = types if isinstance(types, list) else [types]
        ok = any(
            isinstance(value, TYPES[t]) and not (t in ("integer", "number") and isinstance(value, bool))
            for t in types
        )
        if not ok:
            fail(f"{where}: {value!r:.80} is not {types}")
            return
    if "enum" in schema and value not in schema["enum"]:
        fail(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                fail(f"{where}: {key!r} is missing")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                validate(value[key], sub, f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            validate(v, schema["items"], f"{where}[{i}]")


def operation(method, path):
    """The documented operation a request matches, and its path template."""
    bare = path.split("?", 1)[0]
    for template, ops in DOC["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, bare) and method.lower() in ops:
            return template, ops[method.lower()]
    return None, None


def call(method, path, token=None, body=None, ctype="application/json", expect=None):
    """A request, checked against the document; returns (status, JSON, headers)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
    status, headers, raw = http(method, path, token, body, ctype if body is not None else None)
    template, op = operation(method, path)
    where = f"{method} {path} -> {status}"
    if op is None:
        fail(f"{where}: not in the OpenAPI document")
        return status, None, headers
    EXERCISED.add((method, template))
    responses = op["responses"]
    if str(status) not in responses:
        fail(f"{where}: status not documented ({sorted(responses)})")
    try:
        data = json.loads(raw) if raw else None
    except ValueError:
        fail(f"{where}: the body is not JSON: {raw[:200]!r}")
        data = None
    content = responses.get(str(status), {}).get("content", {}).get("application/json")
    if content is not None and data is not None:
        validate(data, content["schema"], where)
    if expect is not None and status != expect:
        fail(f"{where}: expected {expect}: {raw[:300]!r}")
    return status, data, headers


def wait(what, seconds, check):
    end = time.time() + seconds
    while time.time() < end:
        if check():
            return True
        time.sleep(0.3)
    fail(f"{what}: not within {seconds} s")
    return False


editor, approver, other = ENV["TOKEN_EDITOR"], ENV["TOKEN_APPROVER"], ENV["TOKEN_OTHER"]
q = f"?area={AREA}"

# The document itself is public; everything else needs a token.
call("GET", "/api/v1/openapi.json", expect=200)
call("GET", "/api/v1/boards" + q, expect=401)
call("GET", "/api/v1/boards" + q, token="bt_" + "0" * 64, expect=401)

# Boards of the area.
_, data, _ = call("GET", "/api/v1/boards" + q, editor, expect=200)
if data is not None and ENV["BOARD"] not in [b["board"] for b in data["boards"]]:
    fail(f"board {ENV['BOARD']} is not listed: {data}")

# Content: an editor's item waits for approval; an approver's is published at once.
item = {"type": "announcement", "title": "Lịch cắt điện", "body": "Thứ Bảy, 7 giờ đến 11 giờ."}
_, queued, _ = call("POST", "/api/v1/items" + q, editor, {"item": item}, expect=201)
if queued and queued["status"] != "submitted":
    fail(f"an editor's item was {queued['status']}")
item2 = dict(item, id="lich-cat-dien", title="Lịch cắt điện (đã duyệt)")
_, published, _ = call("POST", "/api/v1/items" + q, approver, {"item": item2}, expect=201)
if published and (published["status"] != "published" or not isinstance(published["seq"], int)):
    fail(f"an approver's item: {published}")
call("POST", "/api/v1/items" + q, approver, {"item": item2}, expect=409)
call("POST", "/api/v1/items" + q, editor, {"item": {"type": "bogus"}}, expect=422)
call("POST", "/api/v1/items" + q, editor, b"not json", expect=400)
call("POST", "/api/v1/items" + q, editor, {"item": dict(item, body="x" * 1_200_000)}, expect=413)

_, listed, _ = call("GET", "/api/v1/items" + q, editor, expect=200)
ids = [i["item_id"] for i in (listed or {}).get("items", [])]
if "lich-cat-dien" not in ids:
    fail(f"the published item is not listed: {ids}")

if published:
    path = f"/api/v1/items/{published['id']}"
    wait(
        "the board showing the published item",
        30,
        lambda: (call("GET", path, editor, expect=200)[1] or {})
        .get("delivery", {})
        .get("tally", {})
        .get("shown", 0)
        >= 1,
    )
    # Withdrawing needs the publish right.
    call("POST", path + "/withdraw", editor, expect=404)
    _, w, _ = call("POST", path + "/withdraw", approver, expect=200)
    call("POST", path + "/withdraw", approver, expect=409)

# Proof of play.
call("GET", "/api/v1/plays" + q + "&from=2026-01-01&to=2030-12-31", editor, expect=200)
call("GET", "/api/v1/plays" + q + "&from=yesterday&to=2030-12-31", editor, expect=400)

# CAP: into the queue; refused with reasons when hostile.
cap = open(ENV["CAP_FILE"], "rb").read()
_, accepted, _ = call("POST", "/api/v1/cap" + q, editor, cap, "application/xml", expect=202)
if accepted:
    if accepted["state"] != "queued":
        fail(f"an editor's CAP alert was {accepted['state']}")
    _, alert, _ = call("GET", f"/api/v1/alerts/{accepted['id']}", editor, expect=200)
    if alert and alert["state"] != "queued":
        fail(f"the queued alert is {alert['state']}")
    print("queued alert", accepted["id"])
dtd = b'<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "xx">]>' + cap.split(b"?>", 1)[1]
_, refused, _ = call("POST", "/api/v1/cap" + q, editor, dtd, "application/xml", expect=422)
if refused and "DTD" not in refused["error"]:
    fail(f"a DTD was refused without saying so: {refused}")
call("POST", "/api/v1/cap" + q, editor, b"<alert>" + b" " * 2_000_000, "application/xml", expect=413)
call("POST", "/api/v1/cap" + q, editor, b"<not-cap/>", "application/xml", expect=422)
ended = open(ENV["CAP_FILE_EXPIRED"], "rb").read()
_, refused, _ = call("POST", "/api/v1/cap" + q, editor, ended, "application/xml", expect=422)
if refused and "expires is past" not in refused["error"]:
    fail(f"an ended alert was refused without saying so: {refused}")

# Another area's token sees nothing here and changes nothing.
call("GET", "/api/v1/boards" + q, other, expect=404)
call("GET", "/api/v1/items" + q, other, expect=404)
if published:
    call("GET", f"/api/v1/items/{published['id']}", other, expect=404)
if accepted:
    call("GET", f"/api/v1/alerts/{accepted['id']}", other, expect=404)
call("POST", "/api/v1/cap" + q, other, cap, "application/xml", expect=404)
call("POST", "/api/v1/items" + q, other, {"item": item}, expect=404)

# Each token has its budget of requests a minute.
rate = ENV["TOKEN_RATE"]
answered = 0
while answered < 300:
    # The refusal is checked against the document as every answer is.
    status, data, headers = call("GET", "/api/v1/boards" + q, rate)
    if status != 200:
        break
    answered += 1
if status != 429:
    fail(f"the rate limit: {status} after {answered} answered")
# 120 a minute: at most twice that if the burst straddles the turn of a minute.
if not 120 <= answered <= 240 or "retry-after" not in {k.lower() for k in headers}:
    fail(f"the rate limit: {answered} answered, headers {headers}")

documented = {(m.upper(), p) for p, ops in DOC["paths"].items() for m in ops}
missing = documented - EXERCISED
if missing:
    fail(f"documented but never exercised: {sorted(missing)}")

if FAILURES:
    print(f"{len(FAILURES)} contract failures", file=sys.stderr)
    sys.exit(1)
print(f"contract ok: {len(EXERCISED)} operations checked against the OpenAPI document")

# SPDX-License-Identifier: MIT
"""Validate answers captured by serve_lib.sh's req against docs/openapi.yaml.

usage: openapi_check.py OPENAPI.yaml CAPTURE_DIR [ROUTE.c]

Each capture is N.meta (method, path, status, content type; tab-separated)
and N.body. For each, the operation is found by matching the path against
the document's path templates (a literal segment beats a {parameter}); the
status must be documented for it (or the operation's "default"); the
content type must be one the response lists; a JSON body must validate
against that media type's schema (JSON Schema 2020-12, as OpenAPI 3.1
says). With ROUTE.c (src/http/route.c), the document's operations must be
exactly the router's routes. Prints the first problems and exits 1, or a
closing count.
"""
import glob
import json
import os
import re
import sys

import jsonschema
import yaml


def load(path):
    with open(path) as f:
        return yaml.safe_load(f)


def find_operation(doc, method, path):
    best = None
    for tmpl, item in doc["paths"].items():
        segs_t, segs_p = tmpl.strip("/").split("/"), path.strip("/").split("/")
        if len(segs_t) != len(segs_p):
            continue
        score = 0
        for t, p in zip(segs_t, segs_p):
            if t.startswith("{") and t.endswith("}"):
                if not re.fullmatch(r"[A-Za-z0-9_-]{1,63}", p):
                    break
            elif t == p:
                score += 1
            else:
                break
        else:
            if best is None or score > best[0]:
                best = (score, tmpl, item)
    if best is None:
        return None, None
    m = method.lower()
    if m == "head":
        m = "get"
    return best[1], best[2].get(m)


def main():
    doc = load(sys.argv[1])
    # the document must itself be OpenAPI 3.1 with valid schemas
    assert str(doc.get("openapi", "")).startswith("3.1"), "not OpenAPI 3.1"
    for name, schema in doc.get("components", {}).get("schemas", {}).items():
        jsonschema.Draft202012Validator.check_schema(schema)
    problems, checked = [], 0
    if len(sys.argv) > 3:
        src = open(sys.argv[3]).read()
        routes = set((m, p.replace("*", "{id}")) for m, p in
                     re.findall(r'\{"(GET|POST)", "(/[^"]*)"', src))
        documented = set((m.upper(), p) for p, item in doc["paths"].items()
                         for m in item if m in ("get", "post", "put",
                                                "delete", "patch"))
        for m, p in sorted(routes - documented):
            problems.append("route %s %s is not in the document" % (m, p))
        for m, p in sorted(documented - routes):
            problems.append("%s %s is documented but not routed" % (m, p))
    metas = sorted(glob.glob(os.path.join(sys.argv[2], "*.meta")),
                   key=lambda p: int(os.path.basename(p).split(".")[0]))
    for meta in metas:
        method, path, status, ctype = open(meta).read().rstrip("\n").split("\t")
        body = open(meta[:-5] + ".body", "rb").read()
        where = "%s %s -> %s" % (method, path, status)
        tmpl, op = find_operation(doc, method, path)
        if op is None:
            # no such endpoint: the answer must be the documented error
            if status not in ("400", "404", "405", "414"):
                problems.append("%s: no such operation in the document"
                                % where)
                continue
            op = {"responses": {"default": {
                "$ref": "#/components/responses/Error"}}}
        resp = op["responses"].get(status) or op["responses"].get("default")
        if resp is None:
            problems.append("%s: status not documented for %s" % (where, tmpl))
            continue
        if "$ref" in resp:
            resp = doc["components"]["responses"][resp["$ref"].split("/")[-1]]
        content = resp.get("content", {})
        if method == "HEAD" or (not content and not body):
            checked += 1  # HEAD, or a documented answer without a body
            continue
        base = ctype.split(";")[0].strip()
        media = next((v for k, v in content.items()
                      if k.split(";")[0].strip() == base), None)
        if media is None:
            problems.append("%s: content type %r not documented (%s)"
                            % (where, ctype, ", ".join(content) or "none"))
            continue
        if base == "application/json":
            try:
                inst = json.loads(body)
            except ValueError as e:
                problems.append("%s: not JSON: %s" % (where, e))
                continue
            schema = dict(media.get("schema", {}))
            schema["components"] = doc.get("components", {})
            validator = jsonschema.Draft202012Validator(schema)
            errs = sorted(validator.iter_errors(inst), key=lambda e: e.path)
            for e in errs[:3]:
                problems.append("%s: at %s: %s" % (
                    where, "/".join(str(p) for p in e.absolute_path) or "$",
                    e.message[:300]))
        checked += 1
    for p in problems[:20]:
        print(p)
    if problems:
        return 1
    print("%d answers valid" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main())

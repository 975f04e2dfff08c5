#!/usr/bin/python3
# Copyright (c) 2026 The nidcard authors. SPDX-License-Identifier: BSD-2-Clause
#
# json-validate.py SCHEMA DOC: validate the JSON document DOC against the
# JSON Schema SCHEMA (docs/*.schema.json) with python3-jsonschema; every
# violation on stderr, exit 1 when there is one.
import json
import sys

import jsonschema

with open(sys.argv[1]) as f:
    schema = json.load(f)
with open(sys.argv[2]) as f:
    doc = json.load(f)
cls = jsonschema.validators.validator_for(schema)
cls.check_schema(schema)
errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))
for e in errors:
    print("%s: %s" % ("/".join(str(p) for p in e.path) or "(root)", e.message),
          file=sys.stderr)
sys.exit(1 if errors else 0)

#!/usr/bin/env python3
"""Validates Kalshi fixture payloads against the real Kalshi OpenAPI spec.

Usage: validate_fixtures.py SPEC.yaml FILE.json...

The file name prefix says what the payload is:
  event-*.json         GetEventResponse, current API (validated as is)
  legacy-event-*.json  GetEventResponse from the older API: markets carry the integer-cent fields
                       instead of the fixed-point ones; validated against the spec's Market with
                       each fixed-point requirement replaced by its legacy integer member
  error-*.json         ErrorResponse
  history-NAME-*.json  the history endpoints' responses, validated against components/schemas/NAME
                       (GetFillsResponse, GetTradesResponse, GetMarketCandlesticksHistoricalResponse...)

Beyond the schema (which allows unknown members), every member of an event or market object must
be a property the spec declares (or, in legacy payloads, one of the legacy integer members), so a
fixture cannot silently drift from the real API.

Prints one line per file; exits 0 when all pass, 1 when one fails, 2 when a package is missing.
"""
import copy
import json
import os
import sys

try:
    import yaml
    from openapi_schema_validator import OAS30Validator
except ImportError as e:  # the Swift test reports this as a failure, with this text
    print(f"MISSING PACKAGE: {e} (pip install pyyaml openapi-schema-validator jsonschema)")
    sys.exit(2)

# Fixed-point member -> the legacy integer member older responses carried instead.
LEGACY = {
    "yes_bid_dollars": "yes_bid",
    "yes_ask_dollars": "yes_ask",
    "no_bid_dollars": "no_bid",
    "no_ask_dollars": "no_ask",
    "last_price_dollars": "last_price",
    "volume_fp": "volume",
    "volume_24h_fp": "volume_24h",
    "open_interest_fp": "open_interest",
    "liquidity_dollars": "liquidity",
}
# Fixed-point members the older API did not send at all.
LEGACY_ABSENT = {
    "notional_value_dollars", "yes_bid_size_fp", "yes_ask_size_fp",
    "previous_yes_bid_dollars", "previous_yes_ask_dollars", "previous_price_dollars",
}


def validator(spec, schema):
    root = {"components": spec["components"]}
    root.update(schema)
    return OAS30Validator(root)


def errors_of(v, instance):
    return ["%s: %s" % ("/".join(str(p) for p in e.absolute_path) or "$", e.message)
            for e in v.iter_errors(instance)]


def unknown_members(obj, properties, extra, where):
    return ["%s: member %r is not in the spec" % (where, k) for k in obj if k not in properties and k not in extra]


# History responses: the list member and the schema of its items (None: no list).
HISTORY = {
    "GetHistoricalCutoffResponse": None,
    "GetFillsResponse": ("fills", "Fill"),
    "GetSettlementsResponse": ("settlements", "Settlement"),
    "GetPositionsResponse": ("market_positions", "MarketPosition"),
    "GetMarketsResponse": ("markets", "Market"),
    "GetTradesResponse": ("trades", "Trade"),
    "GetMarketCandlesticksResponse": ("candlesticks", "MarketCandlestick"),
    "GetMarketCandlesticksHistoricalResponse": ("candlesticks", "MarketCandlestickHistorical"),
}


def resolve(spec, schema):
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def unknown_deep(spec, obj, schema, where):
    """Members the spec does not declare, in obj and in its nested objects."""
    schema = resolve(spec, schema)
    props = schema.get("properties", {})
    problems = unknown_members(obj, set(props), set(), where)
    for k, v in obj.items():
        if isinstance(v, dict) and k in props:
            problems += unknown_deep(spec, v, props[k], where + "/" + k)
    return problems


def check_history(spec, name, doc):
    if name not in HISTORY:
        return ["unknown history response schema %r" % name]
    schema = {"$ref": "#/components/schemas/" + name}
    problems = errors_of(validator(spec, schema), doc)
    if isinstance(doc, dict):
        problems += unknown_members(doc, set(spec["components"]["schemas"][name]["properties"]), set(), "$")
        if HISTORY[name]:
            key, item = HISTORY[name]
            for i, o in enumerate(doc.get(key, []) or []):
                if isinstance(o, dict):
                    problems += unknown_deep(spec, o, {"$ref": "#/components/schemas/" + item}, "%s/%d" % (key, i))
    return problems


def check(spec, kind, doc):
    if kind.startswith("history:"):
        return check_history(spec, kind.split(":", 1)[1], doc)
    schemas = spec["components"]["schemas"]
    market_props = set(schemas["Market"]["properties"])
    event_props = set(schemas["EventData"]["properties"])
    if kind == "error":
        problems = errors_of(validator(spec, {"$ref": "#/components/schemas/ErrorResponse"}), doc)
        return problems + unknown_members(doc, set(schemas["ErrorResponse"]["properties"]), set(), "$")
    if kind == "event":
        problems = errors_of(validator(spec, {"$ref": "#/components/schemas/GetEventResponse"}), doc)
        allowed_extra = set(LEGACY.values())  # transitional payloads carry both forms
    else:
        market = copy.deepcopy(schemas["Market"])
        market["required"] = [r for r in market["required"] if r not in LEGACY and r not in LEGACY_ABSENT]
        market["required"] += [LEGACY[k] for k in LEGACY]
        for k in LEGACY:
            market["properties"][LEGACY[k]] = {"type": "integer"}
        response = copy.deepcopy(schemas["GetEventResponse"])
        response["properties"]["markets"]["items"] = market
        problems = errors_of(validator(spec, response), doc)
        for i, m in enumerate(doc.get("markets", [])):
            present = [k for k in list(LEGACY) + list(LEGACY_ABSENT) if k in m]
            if present:
                problems.append("markets/%d: legacy payload carries fixed-point members %s" % (i, present))
        allowed_extra = set(LEGACY.values())
    if isinstance(doc, dict):
        problems += unknown_members(doc, {"event", "markets"}, set(), "$")
        if isinstance(doc.get("event"), dict):
            problems += unknown_members(doc["event"], event_props, set(), "event")
        for i, m in enumerate(doc.get("markets", []) or []):
            if isinstance(m, dict):
                problems += unknown_members(m, market_props, allowed_extra, "markets/%d" % i)
                # Kalshi documents that integer and fixed-point forms match when both are sent.
                for fp, legacy in LEGACY.items():
                    if fp in m and legacy in m:
                        scale = 100 if fp.endswith("_dollars") else 1
                        if abs(float(m[fp]) * scale - m[legacy]) > 1e-9:
                            problems.append("markets/%d: %s=%s does not match %s=%s" % (i, fp, m[fp], legacy, m[legacy]))
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    with open(argv[1]) as f:
        spec = yaml.safe_load(f)
    failed = False
    for path in argv[2:]:
        name = os.path.basename(path)
        kind = "legacy" if name.startswith("legacy-event-") else "event" if name.startswith("event-") else \
            "error" if name.startswith("error-") else None
        if name.startswith("history-"):
            kind = "history:" + name.split("-")[1]
        if kind is None:
            print("FAIL %s: unknown fixture kind (name must start with event-, legacy-event-, error- or history-)" % name)
            failed = True
            continue
        with open(path) as f:
            doc = json.load(f)
        problems = check(spec, kind, doc)
        if problems:
            failed = True
            print("FAIL %s: %s" % (name, "; ".join(problems[:10])))
        else:
            print("OK %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

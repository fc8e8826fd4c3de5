#!/usr/bin/env python3
"""A foreign client of the /v3/admin face (seed 002), written with the standard library only.

Usage: admin_v3_client.py BASE_URL   (credentials in CLIENTELE_USER / CLIENTELE_PASSWORD)

It drives the face the way an integration written against the seed would: list, create,
list again, show, update, list the cloud providers, delete, and show the deleted customer.
It prints one JSON summary on stdout and exits 0, or prints what went wrong on stderr and
exits 1.
"""
import base64
import json
import os
import sys
import urllib.error
import urllib.request

CUSTOMER_LIST_FIELDS = {"id", "name", "external_id", "licensing_enabled", "admin", "skin_names", "resource_type"}
CUSTOMER_SHOW_FIELDS = CUSTOMER_LIST_FIELDS | {"external_metadata", "resource_usage"}
CUSTOMER_CREATE_FIELDS = CUSTOMER_LIST_FIELDS | {"resource_usage"}
PROVIDER_FIELDS = {"id", "name", "disambiguation", "required_credentials", "discoverable", "cse_syntax",
                   "standalone_incompatible", "resource_type"}


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Client:
    def __init__(self, base, user, password):
        self.base = base.rstrip("/")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}

    def call(self, method, path, body=None):
        """Answers (status, content type, parsed JSON body or None)."""
        data = None
        headers = dict(self.headers)
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as res:
                status, ctype, raw = res.status, res.headers.get("Content-Type", ""), res.read()
        except urllib.error.HTTPError as e:
            status, ctype, raw = e.code, e.headers.get("Content-Type", ""), e.read()
        return status, ctype, (json.loads(raw) if raw else None)


def main():
    if len(sys.argv) != 2:
        print("usage: admin_v3_client.py BASE_URL", file=sys.stderr)
        return 2
    c = Client(sys.argv[1], os.environ["CLIENTELE_USER"], os.environ["CLIENTELE_PASSWORD"])
    summary = {}

    status, _, customers = c.call("GET", "/v3/admin/customers")
    check(status == 200, f"list: status {status}")
    check(isinstance(customers, list) and customers, "list: not a non-empty array")
    own = customers[0]
    check(own["admin"] is True, "list: the first customer is not the admin one")
    check(all(x["admin"] is False for x in customers[1:]), "list: more than one admin customer")
    check(all(set(x) == CUSTOMER_LIST_FIELDS for x in customers), "list: unexpected fields")
    summary["own_id"] = own["id"]

    new = {"name": "Interop Python Customer", "skin_names": ["python"], "external_id": "py-1", "licensing_enabled": True}
    status, _, created = c.call("POST", "/v3/admin/customers", new)
    check(status == 201, f"create: status {status}: {created}")
    check(set(created) == CUSTOMER_CREATE_FIELDS, f"create: fields {sorted(created)}")
    check(created["resource_type"] == "customer" and created["admin"] is False, "create: resource_type/admin")
    check(created["name"] == new["name"] and created["skin_names"] == ["python"], "create: values")
    check(created["resource_usage"] == {}, "create: resource_usage")
    cid = created["id"]
    summary["created_status"] = status
    summary["created_id"] = cid

    status, _, customers = c.call("GET", "/v3/admin/customers")
    summary["listed"] = any(x["id"] == cid and x["admin"] is False for x in customers)

    status, _, shown = c.call("GET", f"/v3/admin/customers/{cid}")
    check(status == 200, f"show: status {status}")
    check(set(shown) == CUSTOMER_SHOW_FIELDS, f"show: fields {sorted(shown)}")
    summary["show_fields"] = sorted(shown)
    summary["shown_external_id"] = shown["external_id"]

    change = {"name": "Interop Python Customer Renamed", "external_metadata": {"hub": "py-hub"}, "licensing_enabled": False}
    status, _, updated = c.call("PUT", f"/v3/admin/customers/{cid}", change)
    check(status == 200, f"update: status {status}: {updated}")
    check(set(updated) == CUSTOMER_SHOW_FIELDS, f"update: fields {sorted(updated)}")
    summary["updated_name"] = updated["name"]
    summary["updated_metadata"] = updated["external_metadata"]
    summary["updated_licensing"] = updated["licensing_enabled"]

    status, _, providers = c.call("GET", f"/v3/admin/customers/{own['id']}/cloud_providers")
    check(status == 200, f"cloud_providers: status {status}")
    check(all(set(p) == PROVIDER_FIELDS and p["resource_type"] == "cloud_provider" for p in providers),
          "cloud_providers: fields")
    summary["own_providers"] = [p["name"] for p in providers]
    status, _, providers = c.call("GET", f"/v3/admin/customers/{cid}/cloud_providers")
    check(status == 200, f"cloud_providers of the new customer: status {status}")
    summary["customer_providers"] = len(providers)

    status, ctype, problem = c.call("PUT", f"/v3/admin/customers/{cid}", {"name": "x", "colour": "red"})
    summary["unknown_field"] = {"status": status, "problem": ctype.startswith("application/problem+json"),
                                "code": (problem or {}).get("code")}

    status, _, body = c.call("DELETE", f"/v3/admin/customers/{cid}")
    summary["deleted_status"] = status
    check(body is None, "delete: answered a body")

    status, ctype, problem = c.call("GET", f"/v3/admin/customers/{cid}")
    summary["after_delete"] = {"status": status, "problem": ctype.startswith("application/problem+json"),
                               "code": (problem or {}).get("code")}

    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"admin_v3_client: {e}", file=sys.stderr)
        sys.exit(1)

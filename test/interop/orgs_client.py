"""A foreign client of the /orgs face (seed 003), written with Python's standard library only,
the way an operator's existing script would call it: Basic credentials, then a session cookie
and a bearer key, snake_case query parameters, camelCase JSON bodies.

Usage: orgs_client.py BASE_URL USERNAME PASSWORD MASTER_ORG_ID
Prints one JSON summary line; exits non-zero on the first unexpected answer.
"""
import base64
import http.cookiejar
import json
import sys
import urllib.error
import urllib.request

base, user, password, master = sys.argv[1:5]
basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call(method, path, body=None, auth=basic, opener=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if auth:
        req.add_header("Authorization", auth)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with (opener or urllib.request.build_opener()).open(req) as res:
            text = res.read().decode()
            return res.status, (json.loads(text) if text else None), {k.lower(): v for k, v in res.headers.items()}
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        return e.code, (json.loads(text) if text else None), {k.lower(): v for k, v in e.headers.items()}


def expect(cond, what):
    if not cond:
        print(json.dumps({"ok": False, "failed": what}))
        sys.exit(1)


summary = {}

# create_customer: NewCustomer -> 201 NewResourceUuid
status, body, _ = call("POST", f"/orgs/{master}/customers", {"name": "Python Reseller", "isReseller": True})
expect(status == 201 and len(body["id"]) == 36, f"create reseller: {status} {body}")
reseller = body["id"]
for name in ["py-c", "py-a", "py-b"]:
    status, body, _ = call("POST", f"/orgs/{reseller}/customers", {"name": name})
    expect(status == 201, f"create {name}: {status} {body}")
status, body, _ = call("POST", f"/orgs/{reseller}/customers", {"name": "py-a"})
expect(status == 409, f"duplicate: {status}")
status, body, headers = call("POST", f"/orgs/{reseller}/customers", {"nmae": "typo"})
expect(status == 400 and headers.get("content-type", "").startswith("application/problem+json"), f"unknown field: {status}")

# get_org_customers with the Python client's snake_case parameters
status, body, _ = call("GET", f"/orgs/{reseller}/customers?sort_by=name&sort_order=desc&offset=0&limit=2")
expect(status == 200 and body["total"] == 3, f"list: {status} {body}")
expect([o["name"] for o in body["items"]] == ["py-c", "py-b"], f"order: {body}")
status, body, _ = call("GET", f"/orgs/{master}/customers?recursive=true&max_depth=2&limit=1000")
expect(status == 200 and any(o["name"] == "py-a" for o in body["items"]), "recursive list")
status, body, _ = call("GET", f"/orgs/{reseller}/customers?sort_by=shoe_size")
expect(status == 400, f"bad sort: {status}")
summary["customers"] = 3

# session cookie login, as the generated client's sessionCookie scheme
jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
status, body, _ = call("POST", "/login", {"username": user, "password": password}, auth=None, opener=opener)
expect(status == 200 and any(c.name == "id0" for c in jar), f"login: {status}")
status, body, _ = call("GET", "/identity", auth=None, opener=opener)
expect(status == 200 and body["org"]["id"] == master, f"identity via cookie: {status}")
summary["session"] = True

# bearer key, as the client's bearerAuth scheme
status, body, _ = call("POST", "/api-keys", {"name": "python"})
expect(status == 201 and body["secret"].startswith("clt_"), f"key: {status}")
bearer = "Bearer " + body["secret"]
status, body, etag = call("GET", f"/orgs/{reseller}", auth=bearer)
expect(status == 200 and body["name"] == "Python Reseller" and body["isReseller"] is True, f"get via bearer: {status}")
tag = etag.get("etag")
status, _, _ = call("PATCH", f"/orgs/{reseller}", {"city": "Porto"}, auth=bearer, headers={"If-Match": tag})
expect(status == 204, f"patch: {status}")
status, _, _ = call("PATCH", f"/orgs/{reseller}", {"city": "Braga"}, auth=bearer, headers={"If-Match": tag})
expect(status == 412, f"stale patch: {status}")
summary["bearer"] = True

status, body, _ = call("GET", f"/orgs/{reseller}", auth="Basic " + base64.b64encode(b"admin:wrong").decode())
expect(status == 401, f"wrong password: {status}")
status, body, _ = call("DELETE", f"/orgs/{reseller}?cascade=false")
expect(status == 409 and body["code"] == "failed_precondition", f"delete with customers, cascade=false: {status}")
status, body, _ = call("DELETE", f"/orgs/{reseller}?force=true")
expect(status == 204, f"delete with its customers: {status}")
status, body, _ = call("GET", f"/orgs/{master}/customers?status=deleted&recursive=true&limit=100")
expect(status == 200 and {reseller} <= {o["id"] for o in body["items"]} and all(o["status"] == "deleted" for o in body["items"]), f"deleted with customers: {status}")
summary["ok"] = True
print(json.dumps(summary))

#!/usr/bin/env python3
"""A client of the XML-RPC face (seed 000), written exactly as the seed's examples are: the
standard library's xmlrpc.client, credentials in the URL, every answer indexed by ['result'].

Usage: xmlrpc_client.py URL_WITH_CREDENTIALS WRONG_PASSWORD_URL
Environment: GROUP_GUID (a cloud user group without members, to hand to a customer),
SPACES_CUSTOMER (a customer holding one cloud account), REST_CUSTOMER (a customer created over
REST), DOMAIN (a domain to register).

Python's xmlrpc.client cannot send keyword arguments, so parameters go positionally in the
seed's order (and once as one struct of named parameters). Prints one JSON summary on stdout
and exits 0, or prints what went wrong on stderr and exits 1.
"""
import json
import os
import sys
import xmlrpc.client

GUID_LEN = 36


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def fault_of(fn, *args):
    """Calls fn and answers (faultCode, faultString) of the Fault it must raise."""
    try:
        fn(*args)
    except xmlrpc.client.Fault as f:
        return f.faultCode, f.faultString
    raise Failure(f"expected a fault from {fn}")


def main():
    url, wrong_url = sys.argv[1], sys.argv[2]
    group_guid = os.environ["GROUP_GUID"]
    spaces_customer = os.environ["SPACES_CUSTOMER"]
    rest_customer = os.environ["REST_CUSTOMER"]
    domain = os.environ["DOMAIN"]
    out = {}

    xmlrpcProxy = xmlrpc.client.ServerProxy(url)
    api = xmlrpcProxy.cloud_api_customer

    out["statuses"] = api.listStatuses("", {})["result"]
    out["unit_types"] = xmlrpcProxy.capacityplanning.listCapacityUnitTypes()["result"]

    # create(name, resourcegroupguid, description, address, city, country, jobguid, executionparams)
    created = api.create("Python Customer", "", "made by <python> & \u00e9\U0001F600", "Main St 1", "Gent", "BE", "", {})
    guid = created["result"]
    check(isinstance(guid, str) and len(guid) == GUID_LEN, f"create answered {created!r}")
    check(isinstance(created["jobguid"], str) and len(created["jobguid"]) == GUID_LEN, f"create's jobguid {created!r}")
    out["created"] = guid
    out["create_jobguid"] = created["jobguid"]
    kept = api.create("Python Kept Customer", "", "stays for REST to see", "", "", "")["result"]
    out["kept"] = kept

    rows = api.list(guid, "", {})["result"]
    check(len(rows) == 1, f"list(guid) answered {rows!r}")
    out["list_row"] = rows[0]
    out["list_rest_customer"] = [r["guid"] for r in api.list(rest_customer)["result"]]
    out["list_all_has_both"] = {guid, kept} <= {r["guid"] for r in api.list()["result"]}
    out["list_named"] = [r["guid"] for r in api.list({"customerguid": guid})["result"]]

    out["find_by_name"] = api.find("Python Customer", "", "", "", {})["result"]
    out["find_active_has"] = guid in api.find("", "ACTIVE")["result"]

    # updateModelProperties: every parameter passed as '' stays unchanged.
    upd = api.updateModelProperties(guid, "", "a new description", "", "Brugge", "", "", "", {})
    check(upd["result"] == guid, f"updateModelProperties answered {upd!r}")
    out["after_update"] = api.list(guid)["result"][0]

    out["set_status"] = api.setStatus(guid, "CONFIGURED", "", {})["result"]
    out["status_after_set"] = api.list(guid)["result"][0]["status"]
    out["find_configured"] = api.find("", "CONFIGURED")["result"]
    out["find_active_after"] = guid in api.find("", "ACTIVE")["result"]

    # Capacity.
    r = []
    r.append(api.addCapacityAvailable(guid, 10, "CU", "cpu", "cpu units", "", {})["result"])
    r.append(api.addCapacityAvailable(guid, 5, "CU", "more cpu", "")["result"])
    r.append(api.addCapacityAvailable(guid, 200, "SUP", "disk", "primary storage")["result"])
    r.append(api.addCapacityConsumed(guid, 4, "CU", "used cpu", "")["result"])
    out["capacity_adds"] = r
    out["capacity"] = api.listCapacity(guid, "", {})["result"]
    out["remove_available"] = api.removeCapacityAvailable(guid, "CU", "", {})["result"]
    out["remove_consumed"] = api.removeCapacityConsumed(guid, "CU")["result"]
    out["capacity_after_remove"] = api.listCapacity(guid)["result"]

    # Cloud user groups.
    out["add_group"] = api.addCloudUserGroup(guid, group_guid, "", {})["result"]
    out["groups"] = api.listGroups(guid, "", {})["result"]
    out["remove_group"] = api.removeCloudUserGroup(guid, group_guid)["result"]
    out["groups_after"] = api.listGroups(guid)["result"]

    # Domains: the portal credentials go to the registrar, never back.
    reg = api.registerDomain(guid, "portal-user", "portal-password-never-echoed", domain, "", {})
    out["register_domain"] = reg["result"]
    out["register_jobguid"] = reg["jobguid"]
    out["root_after_register"] = json.loads(api.getObject(guid, "", {})["result"])
    out["register_again_by_other"] = fault_of(api.registerDomain, kept, "portal-user", "pw", domain)
    out["unregister_domain"] = api.unregisterDomain(guid, "portal-user", "portal-password-never-echoed", domain)["result"]

    out["cloud_spaces"] = api.listCloudSpaces(spaces_customer, "", {})["result"]
    out["cloud_spaces_none"] = api.listCloudSpaces(guid)["result"]

    out["yaml"] = api.getYAML(guid, "", {})["result"]
    out["xml"] = api.getXML(guid, "", {})["result"]
    out["xsd"] = api.getXMLSchema(guid, "", {})["result"]
    out["object"] = json.loads(api.getObject(guid, "", {})["result"])

    # Faults.
    out["fault_unknown_method"] = fault_of(api.noSuchMethod, guid)
    out["fault_wrong_type"] = fault_of(api.addCapacityAvailable, guid, "ten", "CU", "", "")
    out["fault_too_many"] = fault_of(api.delete, guid, "", {}, "extra")
    out["fault_missing"] = fault_of(api.setStatus, guid)
    out["fault_unknown_unit"] = fault_of(api.addCapacityAvailable, guid, 1, "XYZ", "", "")
    out["fault_bad_status"] = fault_of(api.setStatus, guid, "SLEEPING")
    out["fault_not_found"] = fault_of(api.listCapacity, "00000000-0000-4000-8000-000000000000")
    out["fault_user_errormsg"] = fault_of(api.setStatus, "00000000-0000-4000-8000-000000000000", "ACTIVE", "", {"userErrormsg": "Could not change that customer"})
    out["fault_duplicate"] = fault_of(api.create, "Python Kept Customer", "", "", "", "", "")

    # A wrong password is HTTP 401, which xmlrpc.client raises as a ProtocolError.
    try:
        xmlrpc.client.ServerProxy(wrong_url).cloud_api_customer.listStatuses()
        raise Failure("a wrong password was accepted")
    except xmlrpc.client.ProtocolError as e:
        out["wrong_password"] = e.errcode

    out["delete"] = api.delete(guid, "", {})["result"]
    out["list_after_delete"] = api.list(guid)["result"]
    out["find_after_delete"] = api.find("Python Customer")["result"]

    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (Failure, xmlrpc.client.Error, KeyError) as e:
        print(f"{type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)

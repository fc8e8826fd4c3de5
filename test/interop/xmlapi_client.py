#!/usr/bin/env python3
"""A client of the XML action API (seed 004), written as the seed's PowerShell sample works:
the seed's request documents POSTed to /cortexapi/default.aspx with Basic credentials (urllib's
HTTPBasicAuthHandler, which answers the server's 401 challenge, as WebClient does with
NetworkCredential), no content type of its own, answers read with xml.etree.

Usage: xmlapi_client.py BASE_URL USERNAME PASSWORD
Prints one JSON summary on stdout and exits 0, or prints what went wrong on stderr and exits 1.
"""
import json
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

DECL = '<?xml version="1.0" encoding="utf-8"?>\n'


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def opener(base, user, password):
    mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
    mgr.add_password(None, base, user, password)
    return urllib.request.build_opener(urllib.request.HTTPBasicAuthHandler(mgr))


def post(op, url, document):
    """Posts a document; answers (HTTP status, root element)."""
    req = urllib.request.Request(url, data=document.encode('utf-8'), method='POST')
    try:
        with op.open(req, timeout=30) as r:
            return r.status, ET.fromstring(r.read())
    except urllib.error.HTTPError as e:
        return e.code, ET.fromstring(e.read())


def main():
    base, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
    url = base + '/cortexapi/default.aspx'
    op = opener(base, user, password)
    out = {}

    # The PowerShell sample: FIND the CSP customer.
    status, root = post(op, url, DECL + """<request version="1.0" action="FIND">
<customer>
<name>CSP</name>
</customer>
</request>""")
    check(status == 200 and root.tag == 'response' and root.get('version') == '1.0', 'FIND CSP')
    c = root.find('customer')
    out['csp'] = {t: (c.findtext(t) or '') for t in ('name', 'id', 'fullname', 'billingid', 'primarydomain')}

    # The VBScript sample: FIND every customer.
    status, root = post(op, url, '<?xml version="1.0" encoding="utf-8"?><request action="FIND" version="1.0"> <customer/></request>')
    check(status == 200, 'FIND all')
    out['all'] = sorted(x.findtext('name') for x in root.findall('customer'))

    # Create a customer with a generated short code, then a user, then read it back.
    status, root = post(op, url, DECL + """<request version="1.0" action="SET"> <customer> <fullname>Basic API Customer</fullname> <contactname>Admin</contactname> <contactemail>Admin@csm.local</contactemail> <primarydomain>csm.local</primarydomain> <parent> <fullname>Cortex Service Provider</fullname> </parent> </customer> </request>""")
    check(status == 200, 'SET new customer: %s' % ET.tostring(root))
    out['create_request'] = root.findtext('request/id')
    status, root = post(op, url, DECL + '<request version="1.0" action="SET"> <customer> <name>BAC</name> <user> <name>User1</name> </user> </customer> </request>')
    check(status == 200, 'SET user')
    status, root = post(op, url, DECL + "<request action='GET' version='1.0'> <customer> <name>BAC</name> </customer> </request>")
    check(status == 200, 'GET BAC')
    out['bac'] = {t: (root.findtext('customer/' + t) or '') for t in ('name', 'fullname', 'contactemail', 'enabled')}
    status, root = post(op, url, DECL + '<request version="1.0" action="FIND"> <customer> <fullname>Basic API Customer</fullname> <user /> </customer> </request>')
    out['users'] = [u.findtext('name') for u in root.findall('customer/user')]

    # Errors, as the VBScript sample reads them: /response/error/message.
    status, root = post(op, url, DECL + '<request version="1.0" action="DELETE"> <customer> <name>BAC</name> <user> <name>User1</name> </user> </customer> </request>')
    out['last_user'] = {'status': status, 'id': root.findtext('error/id'), 'message': root.findtext('error/message')}
    status, root = post(op, url, DECL + '<request version="1.0" action="GET"><customer><name>NOPE</name></customer></request>')
    out['not_found'] = {'status': status, 'id': root.findtext('error/id'), 'message': root.findtext('error/message')}
    bad = opener(base, user, 'not-the-password')
    status, root = post(bad, url, DECL + '<request version="1.0" action="FIND"><customer/></request>')
    out['bad_password'] = {'status': status, 'id': root.findtext('error/id')}

    status, root = post(op, url, DECL + '<request version="1.0" action="GET"><identity/></request>')
    out['identity'] = root.findtext('identity/customer/user/name')
    print(json.dumps(out))


if __name__ == '__main__':
    try:
        main()
    except Failure as e:
        print('failed: %s' % e, file=sys.stderr)
        sys.exit(1)

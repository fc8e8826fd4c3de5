"""Drives Clientele's Thrift face (seed 001's `service Customer`) with Apache Thrift's own Python
library (Debian python3-thrift) and the client the compiler generated from idl/customer.thrift.

    customer_client.py <gen-dir> <config-json>

config.mode is one of:
* "calls"   — every function of `service Customer` over `config.transport` ("http": THttpClient
              with an Authorization header; "tcp": TSocket + TFramedTransport and
              Session.authenticate), with real results checked, then refusals (InvalidArguments
              codes and fields, wrong credentials, a call before authenticate);
* "hostile" — raw sockets sending hostile frames to the TCP port, each of which must be closed,
              while an authenticated client on another connection keeps calling.

Prints one JSON line (the summary the node test asserts on) and exits 0; any failed check exits
non-zero with the reason on stderr.
"""
import base64
import json
import random
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
cfg = json.loads(sys.argv[2])

from thrift.protocol import TBinaryProtocol  # noqa: E402
from thrift.transport import THttpClient, TSocket, TTransport  # noqa: E402
from thrift.Thrift import TApplicationException  # noqa: E402
from clientele.customer import Customer, Session  # noqa: E402
from clientele.customer.ttypes import InvalidArguments, Setting  # noqa: E402


def fail(msg):
    sys.stderr.write('customer_client.py: ' + msg + '\n')
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def basic(user, password):
    return 'Basic ' + base64.b64encode(('%s:%s' % (user, password)).encode()).decode()


def http_client(user, password):
    t = THttpClient.THttpClient(cfg['url'])
    t.setCustomHeaders({'Authorization': basic(user, password)})
    c = Customer.Client(TBinaryProtocol.TBinaryProtocol(t))
    return c, t


def tcp_connect():
    sock = TSocket.TSocket(cfg['host'], cfg['port'])
    sock.setTimeout(10000)
    t = TTransport.TFramedTransport(sock)
    t.open()
    p = TBinaryProtocol.TBinaryProtocol(t)
    return p, t


def tcp_client(user, password):
    p, t = tcp_connect()
    Session.Client(p).authenticate(basic(user, password))
    return Customer.Client(p), t


def client(user, password):
    return http_client(user, password) if cfg['transport'] == 'http' else tcp_client(user, password)


def refused(f, code, field=None):
    """Calls f, which must raise InvalidArguments with `code` (and `field`): answers it."""
    try:
        f()
    except InvalidArguments as e:
        check(e.code == code, 'expected code %s, got %r (%s)' % (code, e.code, e.message))
        if field is not None:
            check(e.field == field, 'expected field %s, got %r (%s)' % (field, e.field, e.message))
        return {'code': e.code, 'field': e.field}
    fail('expected InvalidArguments %s, the call succeeded' % code)


class Recorder:
    """Wraps a Customer.Client and remembers which functions were called."""

    def __init__(self, c, called):
        self._c = c
        self._called = called

    def __getattr__(self, name):
        f = getattr(self._c, name)
        self._called.add(name)
        return f


def calls():
    customer, other = cfg['customer'], cfg['other']
    admin_user, admin_pw = cfg['admin']
    owner_user, owner_pw = cfg['owner']
    prefix = cfg['transport']
    called = set()
    raw, admin_t = client(admin_user, admin_pw)
    c = Recorder(raw, called)
    out = {}

    # Keys and their ACLs.
    key = c.createKey(customer, 'member')
    check(key.secret and key.secret.startswith('clt_'), 'createKey answers the secret once: %r' % key)
    check(key.type == 'member', 'createKey type %r' % key.type)
    acl = c.createKeyACL(key.id, '192.0.2.0', 24)
    keys = c.getKeys(customer, None)
    mine = [k for k in keys if k.id == key.id]
    check(len(mine) == 1, 'getKeys lists the new key')
    check(all(k.secret is None for k in keys), 'getKeys never shows a secret')
    check([(a.id, a.address, a.cidr) for a in mine[0].acls] == [(acl, '192.0.2.0', 24)], 'the ACL entry: %r' % mine[0].acls)
    check([k.id for k in c.getKeys(customer, 'member')] == [key.id], 'getKeys by type')
    check(c.getKeys(customer, 'readonly') == [], 'no readonly keys')
    c.updateKeyACL(acl, '198.51.100.0', 25)
    acls = [k for k in c.getKeys(customer, None) if k.id == key.id][0].acls
    check([(a.address, a.cidr) for a in acls] == [('198.51.100.0', 25)], 'updateKeyACL: %r' % acls)
    out['badAcl'] = refused(lambda: c.updateKeyACL(acl, 'not-an-ip', 24), 'invalid_argument')
    c.deleteKeyACL(acl)
    check([k for k in c.getKeys(customer, None) if k.id == key.id][0].acls == [], 'deleteKeyACL')
    out['deleteAclAgain'] = refused(lambda: c.deleteKeyACL(acl), 'not_found')
    c.revokeKey(key.id)
    check(all(k.id != key.id for k in c.getKeys(customer, None)), 'revokeKey')

    roles = c.listRoles(customer)
    role_ids = {r.id for r in roles}
    check({'owner', 'admin', 'member', 'readonly'} <= role_ids, 'listRoles: %r' % role_ids)
    check(all(isinstance(r.permissions, list) for r in roles), 'roles carry permissions')
    check(c.getUsername(customer) == owner_user, 'getUsername answers the owner')

    # Settings round-trip.
    c.setSettings(customer, [Setting('theme', 'dark'), Setting('lang', 'nl')])
    c.setSettings(customer, [Setting('lang', 'de')])
    got = {s.name: s.value for s in c.getSettings(customer)}
    check(got.get('theme') == 'dark' and got.get('lang') == 'de', 'getSettings: %r' % got)

    # IP addresses.
    a1 = c.addIpAddress(customer, None)
    check(a1.startswith(cfg['poolPrefix']), 'addIpAddress gives a pool address: %s' % a1)
    a2 = c.addIpAddress(customer, cfg['requested'])
    check(a2 == cfg['requested'], 'the requested address: %s' % a2)
    check(sorted(c.getIpAddresses(customer)) == sorted([a1, a2]), 'getIpAddresses')
    det = c.getDetailedIpAddresses(customer)
    check(sorted(d.address for d in det) == sorted([a1, a2]), 'getDetailedIpAddresses')
    check(all(d.pool == cfg['poolName'] and d.cidr == 24 and d.netmask == '255.255.255.0' for d in det), 'details: %r' % det)
    out['taken'] = refused(lambda: c.addIpAddress(other, a2), 'already_exists')
    out['malformedIp'] = refused(lambda: c.addIpAddress(other, '300.1.2.3'), 'invalid_argument', 'address')
    c.freeIpAddress(customer, a2)
    check(c.getIpAddresses(customer) == [a1], 'freeIpAddress')
    check(c.addIpAddress(other, a2) == a2, 'a freed address can be given to another customer')
    out['unknownCustomer'] = refused(lambda: c.getIpAddresses('00000000-0000-4000-8000-000000000000'), 'not_found')

    # FTP users.
    uname = prefix + '-ftp'
    fid = c.createFTPUser(customer, 'Web Deploy', uname, 'ftp-secret-123', 'www', 'full', None, None)
    users = c.listFTPUsers(customer, None, None)
    check([(u.id, u.username, u.type, u.relativeRoot, u.customerId) for u in users] == [(fid, uname, 'full', 'www', customer)], 'listFTPUsers: %r' % users)
    check(not any('ftp-secret' in repr(u) for u in users), 'no password in listFTPUsers')
    out['ftpTaken'] = refused(lambda: c.createFTPUser(other, 'x', uname, 'ftp-secret-123', 'www', 'full', None, None), 'already_exists')
    c.updateFTPUser(fid, 'Deploy', None, None, None, 'readonly', None, None)
    u = c.listFTPUsers(customer, None, None)[0]
    check((u.name, u.type, u.username) == ('Deploy', 'readonly', uname), 'updateFTPUser: %r' % u)
    c.destroyFTPUser(fid)
    check(c.listFTPUsers(customer, None, None) == [], 'destroyFTPUser')

    # Bandwidth (samples reported over REST by the test).
    bw = c.currentBillableBandwidth(customer)
    check(bw.samples == cfg['samples'] and bw.amount == cfg['bandwidth'] and bw.rule == 'p95', 'currentBillableBandwidth: %r' % bw)
    check(bw.periodStart <= time.time() < bw.periodEnd, 'period around now')

    # Notices: one created over REST by the test.
    notices = c.listNotices(customer, cfg['since'])
    n = [x for x in notices if x.id == cfg['noticeId']]
    check(len(n) == 1 and n[0].subject == cfg['noticeSubject'] and not n[0].acknowledged, 'listNotices sees the REST notice: %r' % notices)
    check(c.listNotices(customer, cfg['noticeCreated'] + 3600) == [], 'listNotices(since) leaves older notices out')

    # Contacts, methods, notice subscriptions.
    types = c.listContactNoticeTypes()
    check([t.name for t in types][:1] == ['general'] and len(types) == 5, 'listContactNoticeTypes: %r' % types)
    methods = c.listContactMethods()
    check([(m.id, m.name) for m in methods] == [(1, 'email'), (2, 'sms'), (3, 'webhook')], 'listContactMethods: %r' % methods)
    cid = c.createContact(customer, 'Ops team')
    mid = c.createContactMethod(cid, 1, {'address': 'ops@example.com'})
    out['methodNoAddress'] = refused(lambda: c.createContactMethod(cid, 1, {}), 'invalid_argument', 'options')
    nid = c.createContactMethodNotice(mid, 3, {})
    contacts = c.listContacts(customer)
    check(len(contacts) == 1 and contacts[0].id == cid and contacts[0].name == 'Ops team', 'listContacts: %r' % contacts)
    m = contacts[0].methods
    check(len(m) == 1 and m[0].id == mid and m[0].methodId == 1 and m[0].options.get('address') == 'ops@example.com', 'methods: %r' % m)
    check([(x.id, x.noticeTypeId) for x in m[0].notices] == [(nid, 3)], 'notices: %r' % m[0].notices)
    c.destroyContactMethodNotice(nid)
    check(c.listContacts(customer)[0].methods[0].notices == [], 'destroyContactMethodNotice')
    c.destroyContactMethod(mid)
    check(c.listContacts(customer)[0].methods == [], 'destroyContactMethod')
    c.destroyContact(cid)
    check(c.listContacts(customer) == [], 'destroyContact')
    out['contactGone'] = refused(lambda: c.destroyContact(cid), 'not_found')

    # The owner acknowledges the notice for its customer.
    oraw, owner_t = client(owner_user, owner_pw)
    o = Recorder(oraw, called)
    o.acknowledgeNotice(cfg['noticeId'])
    n = [x for x in c.listNotices(customer, None) if x.id == cfg['noticeId']]
    check(len(n) == 1 and n[0].acknowledged, 'acknowledgeNotice flips acknowledged: %r' % n)

    # Account.
    out['badPin'] = refused(lambda: c.changePIN(customer, '12ab'), 'invalid_argument', 'pin')
    c.changePIN(customer, '482913')
    email = prefix + '-owner@example.com'
    ch = c.changeEmail(customer, email)
    out['email'] = {'current': ch.current, 'pending': ch.pending}
    new_pw = 'new-%s-password-9' % prefix
    c.changePassword(customer, new_pw)
    try:
        o.getUsername(customer)
        fail('the old password still works after changePassword')
    except (TApplicationException, TTransport.TTransportException, EOFError) as e:
        out['oldPassword'] = type(e).__name__
    nraw, new_t = client(owner_user, new_pw)
    check(Recorder(nraw, called).getUsername(customer) == owner_user, 'the new password works')
    new_t.close()

    # Requests: the wizard and a cancellation.
    out['wizard'] = c.CP_Wizard(customer, prefix + '-site', prefix + '.example.com', 'web', 'php', 'debian-12', 2048, 'small', ['production', 'staging'], ['www.' + prefix + '.example.com'], False)
    out['wizardBad'] = refused(lambda: c.CP_Wizard(customer, prefix + '-site2', prefix + '2.example.com', 'web', 'cobol', 'debian-12', 2048, 'small', ['production'], None, False), 'invalid_argument')
    out['cancellation'] = c.requestCancellation(customer, 'moving elsewhere')

    missing = sorted(set(n for n in dir(Customer.Iface) if not n.startswith('_')) - called)
    check(not missing, 'functions never called: %s' % missing)
    out['called'] = len(called)
    out['settings'] = got
    out['addresses'] = [a1, a2]
    admin_t.close()
    try:
        owner_t.close()
    except Exception:
        pass

    # Refusals of credentials.
    if cfg['transport'] == 'http':
        bad, t = http_client(admin_user, 'wrong-password')
        try:
            bad.setSettings(customer, [Setting('wrongpw', '1')])
            fail('a wrong password over HTTP was accepted')
        except TApplicationException as e:
            out['wrongPassword'] = {'raised': 'TApplicationException', 'status': t.code, 'message': e.message}
    else:
        p, t = tcp_connect()
        try:
            Session.Client(p).authenticate(basic(admin_user, 'wrong-password'))
            fail('a wrong password over TCP was accepted')
        except TApplicationException as e:
            out['wrongPassword'] = {'raised': 'TApplicationException', 'message': e.message, 'closed': closed_after(t)}
        p, t = tcp_connect()
        try:
            Customer.Client(p).setSettings(customer, [Setting('beforeauth', '1')])
            fail('a call before authenticate was accepted')
        except TApplicationException as e:
            out['beforeAuth'] = {'raised': 'TApplicationException', 'message': e.message, 'closed': closed_after(t)}
    c2, t2 = client(admin_user, admin_pw)
    names = {s.name for s in c2.getSettings(customer)}
    check('wrongpw' not in names and 'beforeauth' not in names, 'refused calls ran: %r' % names)
    t2.close()
    return out


def closed_after(framed):
    """True when the server closed the connection: the next read is EOF."""
    try:
        framed.write(b'\x00')
        framed.flush()
    except Exception:
        pass
    try:
        framed.readAll(1)
    except TTransport.TTransportException:
        return True
    except OSError:
        return True
    return False


# ----------------------------------------------------------------------------------------------
# Hostile frames

def frame(payload):
    return struct.pack('>i', len(payload)) + payload


def tstring(s):
    b = s.encode()
    return struct.pack('>i', len(b)) + b


def message_head(name, seqid=1):
    return struct.pack('>I', 0x80010001) + tstring(name) + struct.pack('>i', seqid)


def read_until_eof(sock, timeout):
    """Seconds until the server closed the connection (EOF or reset); fails after `timeout`."""
    start = time.monotonic()
    sock.settimeout(timeout)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                break
    except ConnectionResetError:
        pass
    except socket.timeout:
        fail('the connection stayed open %.1fs' % timeout)
    return time.monotonic() - start


def hostile():
    admin_user, admin_pw = cfg['admin']
    customer = cfg['customer']
    stop = threading.Event()
    steady = {'ok': 0, 'bad': []}

    def steady_client():
        try:
            c, t = tcp_client(admin_user, admin_pw)
            while not stop.is_set():
                methods = c.listContactMethods()
                settings = {s.name: s.value for s in c.getSettings(customer)}
                if [m.name for m in methods] == ['email', 'sms', 'webhook'] and settings.get('steady') == 'yes':
                    steady['ok'] += 1
                else:
                    steady['bad'].append(repr((methods, settings)))
                time.sleep(0.02)
            t.close()
        except Exception as e:  # noqa: BLE001
            steady['bad'].append('%s: %s' % (type(e).__name__, e))

    setup, st = tcp_client(admin_user, admin_pw)
    setup.setSettings(customer, [Setting('steady', 'yes')])
    st.close()
    th = threading.Thread(target=steady_client)
    th.start()
    time.sleep(0.2)

    rng = random.Random(1)
    cases = {
        'frame of 2^31-1 bytes': struct.pack('>i', 2 ** 31 - 1) + b'\x80\x01\x00\x01',
        'truncated frame': struct.pack('>i', 100) + message_head('getSettings')[:20],
        'string claiming 2 GiB': frame(message_head('getSettings') + b'\x0b\x00\x01' + struct.pack('>i', 2 ** 31 - 1) + b'abc'),
        'name claiming 2 GiB': frame(struct.pack('>I', 0x80010001) + struct.pack('>i', 2 ** 31 - 1) + b'getSettings'),
        'list of 2^31-1 elements': frame(message_head('setSettings') + b'\x0b\x00\x01' + tstring(customer) + b'\x0f\x00\x02\x0c' + struct.pack('>i', 2 ** 31 - 1) + b'\x00'),
        'map of 2^31-1 entries': frame(message_head('createContactMethod') + b'\x0a\x00\x01' + struct.pack('>q', 1) + b'\x0d\x00\x03\x0b\x0b' + struct.pack('>i', 2 ** 31 - 1)),
        'non-strict message': frame(tstring('getSettings') + b'\x01' + struct.pack('>i', 1) + b'\x0b\x00\x01' + tstring(customer) + b'\x00'),
        'random bytes': bytes(rng.getrandbits(8) for _ in range(4096)),
    }
    out = {}
    for name, data in cases.items():
        s = socket.create_connection((cfg['host'], cfg['port']))
        # Authenticated first, so the hostile frame is read by the protocol, not refused for lack of credentials.
        auth = frame(message_head('authenticate') + b'\x0b\x00\x01' + tstring(basic(admin_user, admin_pw)) + b'\x00')
        s.sendall(auth)
        s.settimeout(10)
        reply = b''
        while len(reply) < 4 or len(reply) < 4 + struct.unpack('>i', reply[:4])[0]:
            chunk = s.recv(65536)
            check(chunk, '%s: closed before authenticate answered' % name)
            reply += chunk
        check(reply[4:8] == struct.pack('>I', 0x80010002), '%s: authenticate answered a reply' % name)
        s.sendall(data)
        out[name] = round(read_until_eof(s, 8), 2)
        s.close()
    stop.set()
    th.join()
    check(not steady['bad'], 'the steady client failed: %s' % steady['bad'][:3])
    check(steady['ok'] >= 5, 'the steady client made %d calls' % steady['ok'])
    return {'closed': out, 'steady': steady['ok']}


if __name__ == '__main__':
    result = calls() if cfg['mode'] == 'calls' else hostile()
    print(json.dumps(result))

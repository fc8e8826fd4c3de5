/**
 * Sessions (`/login`, `/logout`, seed 003's `/login/sessions`), seed 003's logins (`/logins`,
 * `PATCH /login`), `/identity`, `/api-keys` and seed 003's access tokens (API keys seen from
 * `/orgs/{id}/access_tokens`).
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { contextOf, type Deps } from '../../ops/context.js'
import type { Authenticator } from '../../auth/authenticator.js'
import { SESSION_TTL_MS } from '../../auth/authenticator.js'
import { PIN_TTL_MS } from '../../core/users.js'
import { isDomainError } from '../../core/errors.js'
import { resendLoginPin, verifyLoginPin, type PendingLogin } from '../../ops/auth/login-pin.js'
import { getIdentity } from '../../ops/auth/get-identity.js'
import { enhanceRoles, ENHANCE_ROLES, roleFromEnhanceList } from '../../core/roles.js'
import {
  addApiKeyAcl,
  createApiKey,
  deleteApiKey,
  deleteApiKeyAcl,
  listApiKeyAcls,
  listApiKeys,
  listOrgApiKeys,
  updateApiKey,
  updateApiKeyAcl,
} from '../../ops/keys/keys.js'
import { allowedIpText } from '../../ops/keys/cidr.js'
import { createLogin } from '../../ops/users/create-login.js'
import { listLogins } from '../../ops/users/list-users.js'
import { updateLogin } from '../../ops/users/update-login.js'
import { ctxOf, SESSION_COOKIE } from '../http.js'
import {
  AccessTokenWire,
  aclToWire,
  ApiKeyAclWire,
  ApiKeyWire,
  keyIdOfTokenUuid,
  keyToWire,
  LoginsListing,
  LoginWire,
  loginToWire,
  MemberWire,
  NewResourceUuid,
  OrgWire,
  orgToWire,
  tokenToWire,
  tokenUuid,
  userToWire,
} from './wire.js'
import { deleteMySession, deleteMySessions, listMySessions } from '../../ops/auth/sessions.js'
import { errorResponses, PageLimit, pageLimit, STRICT } from './openapi.js'

export interface SessionCookieOptions {
  /** Mark the cookie `Secure` (serve behind TLS). */
  secure: boolean
}

const Identity = Type.Object({ user: MemberWire, org: OrgWire })
const Creds = Type.Object(
  { username: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
)
const KeyParams = Type.Object({ key_id: Type.String({ maxLength: 64 }) })
const Memberships = Type.Object({
  memberships: Type.Array(
    Type.Object({ memberId: Type.String(), orgId: Type.String(), orgName: Type.String(), isMasterOrg: Type.Boolean(), roles: Type.Array(Type.String()), siteAccessCount: Type.Integer() }),
  ),
})
/** Seed 003's `SessionResult`: the password was right, a PIN was mailed. */
const SessionResult = Type.Object({ authMethod: Type.Literal('email') })
/** Seed 003's `authMethod` in `Login2FA` and `ResendPin`: all three accepted by the schema; the operation refuses all but `email`. */
const AuthMethodIn = Type.Enum(['basic', 'email', 'otp'] as const)
const SessionWire = Type.Object({ id: Type.String(), createdAt: Type.String(), expiresAt: Type.String() })

/** Answers 200 with no content, as seed 003's document gives its session deletes. */
function emptyOk(reply: FastifyReply): void {
  reply.code(200).send()
}

export function authRoutes(app: FastifyInstance, deps: Deps, auth: Authenticator, cookie: SessionCookieOptions): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  /** Sets the cookie `id0`: a session's token, or (for `ttlMs` = the PIN's) a pending login's, with the same attributes. */
  function setSession(reply: FastifyReply, token: string, ttlMs = SESSION_TTL_MS): void {
    reply.setCookie(SESSION_COOKIE, token, {
      path: '/',
      httpOnly: true,
      sameSite: 'lax',
      secure: cookie.secure,
      maxAge: Math.max(1, Math.floor(ttlMs / 1000)),
    })
  }

  /** Answers a pending login (second factor on): its cookie, 201 and seed 003's `SessionResult`. */
  function pending(reply: FastifyReply, p: PendingLogin): { authMethod: 'email' } {
    setSession(reply, p.token, PIN_TTL_MS)
    reply.code(201).header('cache-control', 'no-store')
    return { authMethod: p.authMethod }
  }

  r.post(
    '/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Log in with a username and password; sets the session cookie `id0`',
        body: Creds,
        description:
          '`passwordChangeRequired` is true while the user must change its password (seed 004\'s `changeatnextlogon`): the session works all the same; the flag clears when the user changes its own password (PATCH its member with `password` and `currentPassword`). ' +
          'An expired password (`passwordExpiresAt` reached) answers 401 "password expired", an expired account 401 "account expired".',
        response: {
          200: Type.Object({ user: MemberWire, org: OrgWire, expiresAt: Type.String(), passwordChangeRequired: Type.Boolean() }),
          201: SessionResult,
          ...errorResponses(400, 401, 429),
        },
      },
    },
    async (req, reply) => {
      const s = await auth.login(req.body.username, req.body.password, req.ip)
      if (s.pending) return pending(reply, s)
      setSession(reply, s.token)
      const id = await getIdentity(contextOf(deps, s.actor), {})
      return { user: userToWire(id.user), org: orgToWire(id.org), expiresAt: s.expiresAt, passwordChangeRequired: s.passwordChangeRequired }
    },
  )

  r.post(
    '/login/sessions',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Seed 003's login: `{email, password}`; sets the session cookie `id0`",
        body: Type.Object(
          { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }), deviceId: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: Memberships, 201: SessionResult, ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const s = await auth.login(req.body.email, req.body.password, req.ip)
      if (s.pending) return pending(reply, s)
      setSession(reply, s.token)
      return memberships(contextOf(deps, s.actor))
    },
  )

  r.post(
    '/login/2fa',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          "Seed 003's verify2FA: with the pending cookie `id0` a password login answered, the PIN mailed last turns it into a session (the cookie `id0` is replaced); " +
          'once; at most 5 tries a login; throttled per source like password checks. `rememberMe` is accepted and not acted on',
        body: Type.Object(
          {
            authMethod: AuthMethodIn,
            pin: Type.String({ maxLength: 64 }),
            rememberMe: Type.Optional(Type.Object({ deviceId: Type.String({ maxLength: 200 }), ttl: Type.Integer({ minimum: 0, maximum: 2147483647 }) }, { additionalProperties: false })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Null(), ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const s = await verifyLoginPin(deps, { token: req.cookies?.[SESSION_COOKIE], authMethod: req.body.authMethod, pin: req.body.pin, ip: req.ip })
      setSession(reply, s.token)
      emptyOk(reply.header('cache-control', 'no-store'))
    },
  )

  r.post(
    '/login/2fa/resend-pin',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: "Seed 003's resendPin: mails a new PIN for the pending login of the cookie `id0` (the old PIN stops working; 10 minutes again); at most 5 a login",
        body: Type.Object({ authMethod: AuthMethodIn }, { additionalProperties: false }),
        response: { 200: Type.Null(), ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const token = req.cookies?.[SESSION_COOKIE]
      await resendLoginPin(deps, { token, authMethod: req.body.authMethod })
      setSession(reply, token!, PIN_TTL_MS)
      emptyOk(reply.header('cache-control', 'no-store'))
    },
  )

  r.get(
    '/login/sessions/sso',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary:
          "Seed 003's createOtpSession: exchange a one-time login link's password (from getOrgMemberLogin) for the member's session cookie `id0`; " +
          'once, within 60 s; throttled per source like password checks',
        querystring: Type.Object({ otp: Type.String({ format: 'uuid', maxLength: 36 }) }, { additionalProperties: false }),
        response: { 200: Memberships, ...errorResponses(400, 401, 429) },
      },
    },
    async (req, reply) => {
      const s = await auth.loginWithLink(req.query.otp, req.ip)
      setSession(reply, s.token)
      reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer')
      return memberships(contextOf(deps, s.actor))
    },
  )

  /** Seed 003's membership of the caller: one per user (a Clientele user belongs to one organisation). */
  const memberships = async (ctx: ReturnType<typeof contextOf>) => {
    const id = await getIdentity(ctx, {})
    return {
      memberships: [
        { memberId: id.user.id, orgId: id.org.id, orgName: id.org.name, isMasterOrg: id.org.depth === 0, roles: enhanceRoles(id.user.role), siteAccessCount: 0 },
      ],
    }
  }

  r.get(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's getLogin: the caller as a login (its user: name, e-mail, when it registered)",
        response: { 200: LoginWire, ...errorResponses(400, 401) },
      },
    },
    async (req) => {
      const id = await getIdentity(ctxOf(deps, req), {})
      return loginToWire(id.user, id.org.locale)
    },
  )

  const LoginsQuery = {
    offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
    limit: Type.Optional(PageLimit),
    sortOrder: Type.Optional(Type.Enum(['asc', 'desc'] as const)),
    sortBy: Type.Optional(Type.Enum(['email', 'name', 'registrationDate'] as const)),
  }
  /** Seed 003's login sort keys, in the user listing's words. */
  const LOGIN_SORT = { email: 'email', name: 'name', registrationDate: 'createdAt' } as const
  const paging = (q: { offset?: number | undefined; limit?: number | undefined; sortOrder?: 'asc' | 'desc' | undefined; sortBy?: keyof typeof LOGIN_SORT | undefined }) => ({
    ...(q.offset !== undefined ? { offset: q.offset } : {}),
    ...(q.limit !== undefined ? { limit: pageLimit(q.limit)! } : {}),
    ...(q.sortOrder !== undefined ? { sortOrder: q.sortOrder } : {}),
    ...(q.sortBy !== undefined ? { sortBy: LOGIN_SORT[q.sortBy] } : {}),
  })

  r.post(
    '/logins',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's createLogin: a user of `orgId` named by its e-mail address, with no role until createMember gives it one",
        querystring: Type.Object({ orgId: Type.String({ maxLength: 64 }) }, { additionalProperties: false }),
        body: Type.Omit(createLogin.input, ['orgId'], STRICT),
        response: { 201: NewResourceUuid, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const u = await createLogin(ctxOf(deps, req), { ...req.body, orgId: req.query.orgId })
      reply.code(201).header('location', `/orgs/${u.orgId}/members/${u.id}`)
      return { id: u.id }
    },
  )

  r.get(
    '/logins',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's getLogins: the users of the caller's organisation (or of `realmId`) and every organisation below it",
        querystring: Type.Object({ realmId: Type.Optional(Type.String({ maxLength: 64 })), ...LoginsQuery }, { additionalProperties: false }),
        response: { 200: LoginsListing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const out = await listLogins(ctxOf(deps, req), { ...(req.query.realmId !== undefined ? { orgId: req.query.realmId } : {}), recursive: true, ...paging(req.query) })
      return { items: out.items.map((u) => loginToWire(u, u.orgLocale)), total: out.total }
    },
  )

  r.get(
    '/orgs/:org_id/logins',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's getOrgLogins: the users of one organisation, as logins",
        params: Type.Object({ org_id: Type.String({ maxLength: 64 }) }),
        querystring: Type.Object(LoginsQuery, { additionalProperties: false }),
        response: { 200: LoginsListing, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => {
      const out = await listLogins(ctxOf(deps, req), { orgId: req.params.org_id, ...paging(req.query) })
      return { items: out.items.map((u) => loginToWire(u, u.orgLocale)), total: out.total }
    },
  )

  r.patch(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's updateLoginInfo: change your own name, e-mail address or password (with currentPassword)",
        body: updateLogin.input,
        response: { 200: Type.Object({}), ...errorResponses(400, 401, 403) },
      },
    },
    async (req) => {
      await updateLogin(ctxOf(deps, req), req.body)
      return {}
    },
  )

  r.get(
    '/login/memberships',
    { schema: { tags: ['auth'], summary: "Seed 003's getLoginMemberships: the organisations the caller is a member of", response: { 200: Memberships, ...errorResponses(401) } } },
    async (req) => memberships(ctxOf(deps, req)),
  )

  r.get(
    '/login/sessions',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's getSessions: the caller's live sessions, by a public id (never the token)",
        response: { 200: Type.Object({ items: Type.Array(SessionWire) }), ...errorResponses(401) },
      },
    },
    async (req) => ({ items: await listMySessions(ctxOf(deps, req), {}) }),
  )

  r.delete(
    '/login/sessions/current',
    { schema: { tags: ['auth'], summary: "Seed 003's deleteCurrentSession: end the session this call came with (log out)", response: { 200: Type.Null(), ...errorResponses(401) } } },
    async (req, reply) => {
      ctxOf(deps, req)
      const token = req.cookies?.[SESSION_COOKIE]
      if (token) await auth.logout(token)
      emptyOk(reply.clearCookie(SESSION_COOKIE, { path: '/' }))
    },
  )

  r.delete(
    '/login/sessions',
    { schema: { tags: ['auth'], summary: "Seed 003's deleteSessions: end every session of the caller (API keys are left alone)", response: { 200: Type.Null(), ...errorResponses(401) } } },
    async (req, reply) => {
      await deleteMySessions(ctxOf(deps, req), {})
      emptyOk(reply.clearCookie(SESSION_COOKIE, { path: '/' }))
    },
  )

  r.delete(
    '/login/sessions/:session_id',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's deleteSession: end one of the caller's sessions by its id (an id of none ends nothing)",
        params: Type.Object({ session_id: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Null(), ...errorResponses(401) },
      },
    },
    async (req, reply) => {
      await deleteMySession(ctxOf(deps, req), { sessionId: req.params.session_id })
      emptyOk(reply)
    },
  )

  r.post(
    '/logout',
    { config: { public: true }, schema: { tags: ['auth'], summary: 'End the session', response: { 204: Type.Null() } } },
    async (req, reply) => {
      const token = req.cookies?.[SESSION_COOKIE]
      if (token) await auth.logout(token)
      reply.clearCookie(SESSION_COOKIE, { path: '/' }).code(204)
    },
  )

  r.get(
    '/identity',
    { schema: { tags: ['auth'], summary: 'Who the caller is', response: { 200: Identity, ...errorResponses(401) } } },
    async (req) => {
      const id = await getIdentity(ctxOf(deps, req), {})
      return { user: userToWire(id.user), org: orgToWire(id.org) }
    },
  )

  r.get(
    '/session',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        summary: 'Whether the session cookie signs someone in, and who (the console asks this first; 200 either way)',
        response: { 200: Type.Object({ signedIn: Type.Boolean(), identity: Type.Optional(Identity) }) },
      },
    },
    async (req) => {
      const token = req.cookies?.[SESSION_COOKIE]
      if (!token) return { signedIn: false }
      let actor
      try {
        actor = await auth.authenticate({ sessionToken: token, ip: req.ip })
      } catch (e) {
        if (isDomainError(e, 'unauthenticated')) return { signedIn: false }
        throw e
      }
      const id = await getIdentity(contextOf(deps, actor), {})
      return { signedIn: true, identity: { user: userToWire(id.user), org: orgToWire(id.org) } }
    },
  )

  r.post(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Create an API key; the secret is shown once',
        body: createApiKey.input,
        response: { 201: Type.Object({ ...ApiKeyWire.properties, secret: Type.String() }), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const k = await createApiKey(ctxOf(deps, req), req.body)
      reply.code(201).header('cache-control', 'no-store')
      return { ...keyToWire(k), secret: k.secret }
    },
  )

  r.get(
    '/api-keys',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'List your API keys (`all=true`: every key in your subtree, for admins)',
        querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(ApiKeyWire) }), ...errorResponses(401, 403) },
      },
    },
    async (req) => ({ items: (await listApiKeys(ctxOf(deps, req), req.query)).map(keyToWire) }),
  )

  r.delete(
    '/api-keys/:key_id',
    { schema: { tags: ['api-keys'], summary: 'Revoke an API key', params: KeyParams, response: { 204: Type.Null(), ...errorResponses(401, 403, 404) } } },
    async (req, reply) => {
      await deleteApiKey(ctxOf(deps, req), { keyId: req.params.key_id })
      reply.code(204)
    },
  )

  r.get(
    '/api-keys/:key_id/acls',
    { schema: { tags: ['api-keys'], summary: "List a key's IP ACL entries", params: KeyParams, response: { 200: Type.Object({ items: Type.Array(ApiKeyAclWire) }), ...errorResponses(401, 404) } } },
    async (req) => ({ items: (await listApiKeyAcls(ctxOf(deps, req), { keyId: req.params.key_id })).map(aclToWire) }),
  )

  r.post(
    '/api-keys/:key_id/acls',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Add an IP ACL entry (address + CIDR mask); the key then works only from listed networks',
        params: KeyParams,
        body: Type.Omit(addApiKeyAcl.input, ['keyId'], STRICT),
        response: { 201: ApiKeyAclWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const a = await addApiKeyAcl(ctxOf(deps, req), { ...req.body, keyId: req.params.key_id })
      reply.code(201)
      return aclToWire(a)
    },
  )

  r.patch(
    '/api-keys/:key_id/acls/:acl_id',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Change an IP ACL entry',
        params: Type.Object({ key_id: Type.String({ maxLength: 64 }), acl_id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
        body: Type.Omit(updateApiKeyAcl.input, ['keyId', 'aclId'], STRICT),
        response: { 200: ApiKeyAclWire, ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req) => aclToWire(await updateApiKeyAcl(ctxOf(deps, req), { ...req.body, keyId: req.params.key_id, aclId: req.params.acl_id })),
  )

  r.delete(
    '/api-keys/:key_id/acls/:acl_id',
    {
      schema: {
        tags: ['api-keys'],
        summary: 'Remove an IP ACL entry',
        params: Type.Object({ key_id: Type.String({ maxLength: 64 }), acl_id: Type.Integer({ minimum: 1, maximum: 2147483647 }) }),
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteApiKeyAcl(ctxOf(deps, req), { keyId: req.params.key_id, aclId: req.params.acl_id })
      reply.code(204)
    },
  )

  const TokenParams = Type.Object({ org_id: Type.String({ maxLength: 64 }), token_id: Type.String({ maxLength: 64 }) })
  const EnhanceRoles = Type.Array(Type.Enum(ENHANCE_ROLES), { maxItems: 6 })
  const TokenFields = {
    tokenExpires: Type.Optional(Type.String({ format: 'date-time' })),
    friendlyName: Type.Optional(Type.String({ maxLength: 200 })),
    allowedIps: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 100 })),
    ipRestricted: Type.Optional(Type.Boolean()),
  }
  /** The key id a token UUID names; one this face never answers names no key. */
  const keyIdOf = (tokenId: string) => keyIdOfTokenUuid(tokenId) ?? '-'

  r.get(
    '/orgs/:org_id/access_tokens',
    {
      schema: {
        tags: ['api-keys'],
        summary: "Seed 003's getAccessTokens: the API keys acting for the organisation that you may manage",
        params: Type.Object({ org_id: Type.String({ maxLength: 64 }) }),
        response: { 200: Type.Array(AccessTokenWire), ...errorResponses(401, 403, 404) },
      },
    },
    async (req) => (await listOrgApiKeys(ctxOf(deps, req), { orgId: req.params.org_id })).map((k) => tokenToWire(k, k.acls.map(allowedIpText))),
  )

  r.post(
    '/orgs/:org_id/access_tokens',
    {
      schema: {
        tags: ['api-keys'],
        summary: "Seed 003's createAccessToken: an API key acting for the organisation with at most `roles`, fenced to `allowedIps`; the token is shown once",
        params: Type.Object({ org_id: Type.String({ maxLength: 64 }) }),
        body: Type.Object({ roles: EnhanceRoles, ...TokenFields }, { additionalProperties: false }),
        response: {
          201: Type.Object({ id: Type.String(), firstFive: Type.String(), unencryptedToken: Type.String(), keyId: Type.String(), role: Type.String() }),
          ...errorResponses(400, 401, 403, 404),
        },
      },
    },
    async (req, reply) => {
      const b = req.body
      const k = await createApiKey(ctxOf(deps, req), {
        name: b.friendlyName?.trim() ? b.friendlyName : 'access token',
        orgId: req.params.org_id,
        role: roleFromEnhanceList(b.roles),
        ...(b.tokenExpires !== undefined ? { expiresAt: b.tokenExpires } : {}),
        ...(b.allowedIps !== undefined ? { allowedIps: b.allowedIps } : {}),
        ...(b.ipRestricted !== undefined ? { ipRestricted: b.ipRestricted } : {}),
      })
      reply.code(201).header('cache-control', 'no-store')
      return { id: tokenUuid(k.id), firstFive: k.secret.slice(0, 5), unencryptedToken: k.secret, keyId: k.id, role: k.role ?? 'readonly' }
    },
  )

  r.patch(
    '/orgs/:org_id/access_tokens/:token_id',
    {
      schema: {
        tags: ['api-keys'],
        summary: "Seed 003's updateAccessToken: change a token's roles, expiry, name or allowed addresses; answers 200 with no content",
        params: TokenParams,
        body: Type.Object({ roles: Type.Optional(EnhanceRoles), ...TokenFields }, { additionalProperties: false }),
        response: { 200: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const b = req.body
      await updateApiKey(ctxOf(deps, req), {
        keyId: keyIdOf(req.params.token_id),
        orgId: req.params.org_id,
        ...(b.friendlyName?.trim() ? { name: b.friendlyName } : {}),
        ...(b.roles !== undefined ? { role: roleFromEnhanceList(b.roles) } : {}),
        ...(b.tokenExpires !== undefined ? { expiresAt: b.tokenExpires } : {}),
        ...(b.allowedIps !== undefined ? { allowedIps: b.allowedIps } : {}),
        ...(b.ipRestricted !== undefined ? { ipRestricted: b.ipRestricted } : {}),
      })
      emptyOk(reply)
    },
  )

  r.delete(
    '/orgs/:org_id/access_tokens/:token_id',
    {
      schema: {
        tags: ['api-keys'],
        summary: "Seed 003's deleteAccessToken: revoke a token at once",
        params: TokenParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteApiKey(ctxOf(deps, req), { keyId: keyIdOf(req.params.token_id), orgId: req.params.org_id })
      reply.code(204)
    },
  )
}

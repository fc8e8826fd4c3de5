/**
 * A customer's settings and FTP users (seed 001's `getSettings`/`setSettings` and
 * `createFTPUser` … `destroyFTPUser`) on the native REST face:
 *
 *   GET    /orgs/{org_id}/settings
 *   PUT    /orgs/{org_id}/settings                  {settings: [{name, value}]}: merge, answers the whole list
 *   DELETE /orgs/{org_id}/settings/{name}
 *   GET    /orgs/{org_id}/ftp-users[?siteName&environmentName]
 *   POST   /orgs/{org_id}/ftp-users                 201
 *   GET    /orgs/{org_id}/ftp-users/{id}
 *   PATCH  /orgs/{org_id}/ftp-users/{id}
 *   DELETE /orgs/{org_id}/ftp-users/{id}            204
 *
 * An FTP user's password is accepted and never answered.
 */
import type { FastifyInstance } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { ctxOf } from '../http.js'
import { errorResponses, STRICT } from './openapi.js'
import { FTP_USER_TYPES } from '../../core/ftp.js'
import { listSettings } from '../../ops/settings/list-settings.js'
import { setSettings } from '../../ops/settings/set-settings.js'
import { deleteSetting } from '../../ops/settings/delete-setting.js'
import { SettingName } from '../../ops/settings/settings-access.js'
import { listFtpUsers } from '../../ops/ftp/list-ftp-users.js'
import { createFtpUser } from '../../ops/ftp/create-ftp-user.js'
import { getFtpUser } from '../../ops/ftp/get-ftp-user.js'
import { updateFtpUser } from '../../ops/ftp/update-ftp-user.js'
import { deleteFtpUser } from '../../ops/ftp/delete-ftp-user.js'

const Id = Type.String({ maxLength: 64 })
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const SettingWire = Type.Object(
  { name: Type.String(), value: Type.String(), updatedAt: Type.String() },
  { $id: 'CustomerSetting' },
)
const FtpUserWire = Type.Object(
  {
    id: Type.String(),
    orgId: Type.String(),
    name: Type.String(),
    username: Type.String({ description: 'Unique across the system, whatever its case' }),
    relativeRoot: Type.String({ description: "The user's root inside the customer's space, normalised: `/` for the space itself, else `a/b`" }),
    type: Type.Union(FTP_USER_TYPES.map((t) => Type.Literal(t)), { description: '`full` reads and writes, `readonly` only reads' }),
    siteName: Nullable(Type.String()),
    environmentName: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'FtpUser' },
)

const OrgParams = Type.Object({ org_id: Id })
const FtpParams = Type.Object({ org_id: Id, id: Id })
const ROOT_RULES =
  ' `relativeRoot` is relative to the customer\'s space: `""`, `.` or `/` name the space itself; `..` may not leave it; absolute paths, backslashes and control characters are refused (400); it is stored normalised (`a/./b` → `a/b`).'

export function settingsFtpRoutes(app: FastifyInstance, deps: Deps): void {
  const r = app.withTypeProvider<TypeBoxTypeProvider>()
  app.addSchema(SettingWire)
  app.addSchema(FtpUserWire)
  const S = Type.Ref('CustomerSetting')
  const F = Type.Ref('FtpUser')
  const Settings = Type.Object({ items: Type.Array(S), total: Type.Integer() })

  r.get(
    '/orgs/:org_id/settings',
    {
      schema: {
        tags: ['settings'],
        summary: "List a customer's settings (by name)",
        description: 'Any role of the customer (or of its providers) may read.',
        params: OrgParams,
        response: { 200: Settings, ...errorResponses(401, 404) },
      },
    },
    async (req) => listSettings(ctxOf(deps, req), { orgId: req.params.org_id }),
  )

  r.put(
    '/orgs/:org_id/settings',
    {
      schema: {
        tags: ['settings'],
        summary: "Set settings of a customer (merge)",
        description:
          'Each setting named gets the value given (created when new); settings not named are kept (DELETE removes one). Names: 1–64 characters of `[A-Za-z0-9_.-]`, each once; values at most 4000 characters; at most 200 settings a customer (409 when the list would hold more). All or nothing. Needs org.write. Answers every setting afterwards.',
        params: OrgParams,
        body: Type.Omit(setSettings.input, ['orgId'], STRICT),
        response: { 200: Settings, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => setSettings(ctxOf(deps, req), { orgId: req.params.org_id, settings: req.body.settings }),
  )

  r.delete(
    '/orgs/:org_id/settings/:name',
    {
      schema: {
        tags: ['settings'],
        summary: 'Remove one setting of a customer',
        description: 'Needs org.write; 404 when the customer has no setting of that name.',
        params: Type.Object({ org_id: Id, name: SettingName }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteSetting(ctxOf(deps, req), { orgId: req.params.org_id, name: req.params.name })
      reply.code(204)
    },
  )

  r.get(
    '/orgs/:org_id/ftp-users',
    {
      schema: {
        tags: ['ftp'],
        summary: "List a customer's FTP users (by username)",
        description: '`siteName` and `environmentName` keep only the FTP users of that site or environment. Any role of the customer (or of its providers) may read. Passwords are never answered.',
        params: OrgParams,
        querystring: Type.Omit(listFtpUsers.input, ['orgId'], STRICT),
        response: { 200: Type.Object({ items: Type.Array(F), total: Type.Integer() }), ...errorResponses(400, 401, 404) },
      },
    },
    async (req) => listFtpUsers(ctxOf(deps, req), { orgId: req.params.org_id, ...req.query }),
  )

  r.post(
    '/orgs/:org_id/ftp-users',
    {
      schema: {
        tags: ['ftp'],
        summary: 'Create an FTP user of a customer',
        description:
          'The username (1–64 characters of `[A-Za-z0-9._-]`, starting with a letter or digit) is unique across the system whatever its case (409 when taken); the password (8–256 characters) is stored hashed and never answered; `type` is `full` or `readonly`; `siteName` and `environmentName` are optional.' +
          ROOT_RULES +
          ' Needs org.write.',
        params: OrgParams,
        body: Type.Omit(createFtpUser.input, ['orgId'], STRICT),
        response: { 201: F, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const u = await createFtpUser(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id })
      reply.code(201).header('location', `/orgs/${u.orgId}/ftp-users/${u.id}`)
      return u
    },
  )

  r.get(
    '/orgs/:org_id/ftp-users/:id',
    {
      schema: {
        tags: ['ftp'],
        summary: 'Get an FTP user of a customer (never its password)',
        params: FtpParams,
        response: { 200: F, ...errorResponses(401, 404) },
      },
    },
    async (req) => getFtpUser(ctxOf(deps, req), { orgId: req.params.org_id, id: req.params.id }),
  )

  r.patch(
    '/orgs/:org_id/ftp-users/:id',
    {
      schema: {
        tags: ['ftp'],
        summary: 'Change an FTP user of a customer',
        description:
          'Fields given replace, the rest are kept; `siteName` or `environmentName` null clears it. The rules of POST apply.' + ROOT_RULES + ' Needs org.write.',
        params: FtpParams,
        body: Type.Omit(updateFtpUser.input, ['orgId', 'id'], STRICT),
        response: { 200: F, ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req) => updateFtpUser(ctxOf(deps, req), { ...req.body, orgId: req.params.org_id, id: req.params.id }),
  )

  r.delete(
    '/orgs/:org_id/ftp-users/:id',
    {
      schema: {
        tags: ['ftp'],
        summary: 'Delete an FTP user of a customer',
        params: FtpParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404) },
      },
    },
    async (req, reply) => {
      await deleteFtpUser(ctxOf(deps, req), { orgId: req.params.org_id, id: req.params.id })
      reply.code(204)
    },
  )
}

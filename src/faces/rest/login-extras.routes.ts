/**
 * Seed 003's panel state of a login and avatars: `/logins/ui-preferences`, `PUT`/`DELETE
 * /login/avatar` and `/orgs/{org_id}/avatar`, and Clientele's `GET /avatars/{sha256}`, which
 * serves the pictures that `avatarPath` (Login, Member) and `ownerAvatarPath` (Org) name.
 *
 * Uploads are multipart/form-data parsed by @fastify/multipart, registered in this plugin's
 * scope only (no other route parses multipart), with explicit limits: one part, the file
 * field `avatar`, at most `MAX_AVATAR_BYTES`. What the bytes must be is the operations' rule.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import multipart from '@fastify/multipart'
import { Type } from 'typebox'
import type { Deps } from '../../ops/context.js'
import { DomainError } from '../../core/errors.js'
import { MAX_AVATAR_BYTES } from '../../core/images.js'
import { UI_VIEW_KINDS, type UiPreferences } from '../../core/ui-preferences.js'
import { getUiPreferences, setUiPreferences, updateUiPreferences } from '../../ops/logins/ui-preferences.js'
import { setLoginAvatar, setOrgAvatar } from '../../ops/avatars/set-avatar.js'
import { deleteLoginAvatar, deleteOrgAvatar } from '../../ops/avatars/delete-avatar.js'
import { getAvatar } from '../../ops/avatars/get-avatar.js'
import { ctxOf } from '../http.js'
import { OrgIdParams } from './wire.js'
import { errorResponses } from './openapi.js'

const UiPreferencesWire = Type.Object({
  loginId: Type.String({ format: 'uuid' }),
  fileManagerView: Type.Enum(UI_VIEW_KINDS),
  websiteView: Type.Enum(UI_VIEW_KINDS),
  spineOpen: Type.Boolean(),
  fileManagerEditorFullscreen: Type.Boolean(),
  serverGroups: Type.Array(Type.String(), { description: 'Server group ids; a group deleted since it was named is left out' }),
  onboardingCardDismissed: Type.Boolean(),
  updatedAt: Type.String({ format: 'date-time' }),
  version: Type.Integer(),
})

function preferencesToWire(p: UiPreferences) {
  return {
    loginId: p.userId,
    fileManagerView: p.fileManagerView,
    websiteView: p.websiteView,
    spineOpen: p.spineOpen,
    fileManagerEditorFullscreen: p.fileManagerEditorFullscreen,
    serverGroups: p.serverGroups,
    onboardingCardDismissed: p.onboardingCardDismissed,
    updatedAt: p.updatedAt,
    version: p.version,
  }
}

/** busboy's limits for an avatar upload: one part, the file, nothing else. */
const UPLOAD_LIMITS = { parts: 1, files: 1, fields: 0, fileSize: MAX_AVATAR_BYTES, fieldNameSize: 100, fieldSize: 1024, headerPairs: 16 }

const MULTIPART_REFUSALS: Record<string, string> = {
  FST_PARTS_LIMIT: 'the form may hold one part only: the file field avatar',
  FST_FILES_LIMIT: 'the form may hold one file only: avatar',
  FST_FIELDS_LIMIT: 'the form may hold the file field avatar only',
  FST_REQ_FILE_TOO_LARGE: `avatar is larger than ${MAX_AVATAR_BYTES / 1024} KiB`,
}

/**
 * The bytes of the one file field `avatar` of a multipart/form-data request. Anything else — no
 * multipart body, another field, a second part, a file past the size limit, a malformed body —
 * is `invalid_argument` (the document's 400), naming no field the caller sent.
 */
async function readAvatar(req: FastifyRequest): Promise<Buffer> {
  if (!req.isMultipart()) throw new DomainError('invalid_argument', 'send the picture as multipart/form-data with one file field avatar', { field: 'avatar' })
  let file: Buffer | undefined
  try {
    for await (const part of req.parts({ limits: UPLOAD_LIMITS })) {
      if (part.type !== 'file' || part.fieldname !== 'avatar') throw new DomainError('invalid_argument', 'the form may hold the file field avatar only', { field: 'avatar' })
      // Read here rather than with toBuffer(), which would read a file past the limit to its
      // end before failing: stopping at once closes the connection after the 400.
      const chunks: Buffer[] = []
      for await (const chunk of part.file) {
        if (part.file.truncated) throw new DomainError('invalid_argument', MULTIPART_REFUSALS.FST_REQ_FILE_TOO_LARGE!, { field: 'avatar' })
        chunks.push(chunk as Buffer)
      }
      if (part.file.truncated) throw new DomainError('invalid_argument', MULTIPART_REFUSALS.FST_REQ_FILE_TOO_LARGE!, { field: 'avatar' })
      file = Buffer.concat(chunks)
    }
  } catch (e) {
    if (e instanceof DomainError) throw e
    const code = (e as { code?: string }).code
    throw new DomainError('invalid_argument', (code && MULTIPART_REFUSALS[code]) ?? 'malformed multipart/form-data body', { field: 'avatar' })
  }
  if (file === undefined) throw new DomainError('invalid_argument', 'avatar is required: a file field of the form', { field: 'avatar' })
  return file
}

/** Answers `status` with no content, as seed 003's document gives these operations' successes. */
function noContent(reply: FastifyReply, status: 200 | 201): void {
  reply.code(status).send()
}

export async function loginExtrasRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  await app.register(multipart, { limits: UPLOAD_LIMITS, throwFileSizeLimit: true })
  const r = app.withTypeProvider<TypeBoxTypeProvider>()

  r.post(
    '/logins/ui-preferences',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's setUiPreferences: the caller's panel preferences, set once (409 when set already); 201 with no content",
        body: setUiPreferences.input,
        response: { 201: Type.Null(), ...errorResponses(400, 401, 409) },
      },
    },
    async (req, reply) => {
      await setUiPreferences(ctxOf(deps, req), req.body)
      noContent(reply, 201)
    },
  )

  r.get(
    '/logins/ui-preferences',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's getUiPreferences: the caller's panel preferences (404 until set)",
        response: { 200: UiPreferencesWire, ...errorResponses(401, 404) },
      },
    },
    async (req) => preferencesToWire(await getUiPreferences(ctxOf(deps, req), {})),
  )

  r.patch(
    '/logins/ui-preferences',
    {
      schema: {
        tags: ['auth'],
        summary: "Seed 003's updateUiPreferences: change the given fields of the caller's panel preferences (404 until set); 200 with no content",
        body: updateUiPreferences.input,
        response: { 200: Type.Null(), ...errorResponses(400, 401, 404) },
      },
    },
    async (req, reply) => {
      await updateUiPreferences(ctxOf(deps, req), req.body)
      noContent(reply, 200)
    },
  )

  r.put(
    '/login/avatar',
    {
      schema: {
        tags: ['auth'],
        summary: `Seed 003's setLoginAvatar: multipart/form-data with one file field \`avatar\`, a PNG or JPEG of at most ${MAX_AVATAR_BYTES / 1024} KiB; answered as the caller's avatarPath. 200 with no content`,
        response: { 200: Type.Null(), ...errorResponses(400, 401) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(deps, req)
      await setLoginAvatar(ctx, { avatar: await readAvatar(req) })
      noContent(reply, 200)
    },
  )

  r.delete(
    '/login/avatar',
    { schema: { tags: ['auth'], summary: "Seed 003's deleteLoginAvatar: remove the caller's avatar", response: { 204: Type.Null(), ...errorResponses(401) } } },
    async (req, reply) => {
      await deleteLoginAvatar(ctxOf(deps, req), {})
      reply.code(204)
    },
  )

  r.put(
    '/orgs/:org_id/avatar',
    {
      schema: {
        tags: ['orgs'],
        summary: `Seed 003's setOrgAvatar (needs the right to edit the organisation): multipart/form-data with one file field \`avatar\`, a PNG or JPEG of at most ${MAX_AVATAR_BYTES / 1024} KiB; answered as the organisation's ownerAvatarPath. 200 with no content`,
        params: OrgIdParams,
        response: { 200: Type.Null(), ...errorResponses(400, 401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      const ctx = ctxOf(deps, req)
      await setOrgAvatar(ctx, { orgId: req.params.org_id, avatar: await readAvatar(req) })
      noContent(reply, 200)
    },
  )

  r.delete(
    '/orgs/:org_id/avatar',
    {
      schema: {
        tags: ['orgs'],
        summary: "Seed 003's deleteOrgAvatar (needs the right to edit the organisation)",
        params: OrgIdParams,
        response: { 204: Type.Null(), ...errorResponses(401, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await deleteOrgAvatar(ctxOf(deps, req), { orgId: req.params.org_id })
      reply.code(204)
    },
  )

  r.get(
    '/avatars/:sha256',
    {
      schema: {
        tags: ['auth'],
        summary:
          'An avatar picture (image/png or image/jpeg) by its id, the SHA-256 of its bytes, as avatarPath and ownerAvatarPath name it; any authenticated caller. Immutable: a strong ETag, If-None-Match answers 304',
        params: Type.Object({ sha256: Type.String({ maxLength: 128 }) }),
        response: { 304: Type.Null(), ...errorResponses(401, 404) },
      },
    },
    async (req, typedReply) => {
      const reply: FastifyReply = typedReply
      const a = await getAvatar(ctxOf(deps, req), { sha256: req.params.sha256 })
      const tag = `"${a.sha256}"`
      reply
        .header('etag', tag)
        .header('cache-control', 'private, max-age=31536000, immutable')
        .header('x-content-type-options', 'nosniff')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .header('content-disposition', 'inline')
      const match = req.headers['if-none-match']
      if (match !== undefined && match.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)) return reply.code(304).send()
      return reply.type(a.contentType).send(Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength))
    },
  )
}

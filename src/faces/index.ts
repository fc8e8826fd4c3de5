/**
 * Registers the faces beyond the native REST routes. Each face adds its routes here and
 * nowhere else, so that faces stay independent of each other.
 */
import type { FastifyInstance } from 'fastify'
import type { Deps } from '../ops/context.js'

export function registerFaces(_app: FastifyInstance, _deps: Deps): void {
  // The /v3/admin face (seed 002) and the cloud-provider routes register here.
}

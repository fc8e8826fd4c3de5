/**
 * Answers of read-only calls, kept while the database is unchanged, as the REST face keeps the
 * JSON it made of an unchanged organisation: an XML face answering the same caller the same
 * document again sends what it wrote before, without reading, running or writing anything.
 *
 * The key is the caller (user, key, role, organisation) and the body's exact bytes; an answer is
 * kept with the store's generation read before the call ran (SQLite's exact change counter,
 * which moves with every commit of any process; PostgreSQL has none, so nothing is kept there),
 * and is answered again only while the generation is the same. A face keeps only answers that
 * depend on nothing but the database and the caller (never one that reads the clock, never an
 * error). Bounded: bodies up to 4 KiB, answers up to 64 KiB, 8 MiB in all, emptied when full.
 */
import type { Actor } from '../ops/context.js'

export class AnswerMemo {
  static readonly MAX_BODY = 4096
  static readonly MAX_ANSWER = 64 * 1024
  static readonly MAX_TOTAL = 8 * 1024 * 1024
  private readonly kept = new Map<string, { generation: string; text: string }>()
  private total = 0

  /** The key of `body` sent by `actor`, or undefined when the body is too large to keep. */
  keyOf(actor: Actor, body: Buffer): string | undefined {
    if (body.length > AnswerMemo.MAX_BODY) return undefined
    return `${actor.userId}\0${actor.keyId ?? ''}\0${actor.role}\0${actor.orgId}\0${actor.orgPath}\0${body.toString('latin1')}`
  }

  get(key: string, generation: string): string | undefined {
    const hit = this.kept.get(key)
    return hit !== undefined && hit.generation === generation ? hit.text : undefined
  }

  set(key: string, generation: string, text: string): void {
    if (text.length > AnswerMemo.MAX_ANSWER) return
    const size = key.length + text.length
    if (this.total + size > AnswerMemo.MAX_TOTAL) {
      this.kept.clear()
      this.total = 0
    }
    const had = this.kept.get(key)
    if (had !== undefined) this.total -= key.length + had.text.length
    this.kept.set(key, { generation, text })
    this.total += size
  }
}

/**
 * The check of an organisation's Slack incoming-webhook URL. The URL is a credential (whoever
 * holds it may post to the channel), so no message here repeats it.
 */
import { DomainError } from '../../core/errors.js'
import { isSealed } from '../../core/sealed.js'

const FIELD = 'slackNotificationWebhookUrl'

/**
 * Throws `invalid_argument` unless `url` is an absolute https URL with a host, without user
 * credentials or a fragment, and not a sealed value (what a careless copy of a row would give).
 */
export function checkSlackWebhookUrl(url: string): void {
  const bad = (why: string) => new DomainError('invalid_argument', `${FIELD} ${why}`, { field: FIELD })
  if (isSealed(url as unknown)) throw bad('is a sealed value: give the URL itself')
  if (url !== url.trim()) throw bad('has leading or trailing white space')
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw bad('is not a URL')
  }
  if (u.protocol !== 'https:') throw bad('must be an https URL')
  if (u.hostname === '') throw bad('has no host')
  if (u.username !== '' || u.password !== '') throw bad('must not carry a user name or password')
  if (u.hash !== '') throw bad('must not have a fragment (#…)')
}

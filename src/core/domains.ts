/** Domains an organisation holds through a registrar. */

/** A domain's status: reserved while the registrar is asked, held, or being let go. */
export type DomainStatus = 'pending' | 'registered' | 'unregistering'

/** A domain an organisation holds, as the core sees it (a type alias: plain data any face may encode). */
export type Domain = {
  /** The ASCII (punycode) form, lower case: `xn--bcher-kva.example`. */
  name: string
  /** The same name in Unicode: `bücher.example`. */
  unicodeName: string
  /** The registrar holding it (`local` is the built-in one). */
  registrar: string
  status: DomainStatus
  createdAt: string
}

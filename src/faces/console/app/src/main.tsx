/**
 * The console: the operator's and the reseller's view of Clientele, built on the native REST
 * API alone. The shell checks who is signed in (`GET /identity`), shows the login otherwise, and
 * routes the hash to a page.
 */
import { render } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { get, post, whenSignedOut } from './api'
import { Login } from './Login'
import { href, useRoute } from './router'
import type { Identity } from './types'
import { Busy } from './ui'
import { pages } from './pages'
import './styles.css'

function App() {
  const [me, setMe] = useState<Identity | null | undefined>(undefined)
  const route = useRoute()
  const load = () => get<{ signedIn: boolean; identity?: Identity }>('/session').then((s) => setMe(s.identity ?? null), () => setMe(null))
  useEffect(() => {
    whenSignedOut(() => setMe(null))
    void load()
  }, [])
  if (me === undefined) return <Busy />
  if (me === null) return <Login onSignedIn={load} />
  const signOut = async () => {
    await post('/logout').catch(() => undefined)
    setMe(null)
    location.hash = ''
  }
  const Page = pages(route, me)
  return (
    <div class="shell">
      <header>
        <a class="brand" href={href()}>
          Clientele
        </a>
        <nav aria-label="Main">
          <a href={href('orgs', me.org.id)}>{me.org.name}</a>
          <a href={href('requests')}>Requests</a>
          <a href={href('approvals')}>Approvals</a>
          <a href={href('catalog')}>Catalogue</a>
        </nav>
        <span class="who">
          {me.user.username} ({me.user.role})
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="content">{Page}</main>
    </div>
  )
}

render(<App />, document.getElementById('app')!)

/** Small shared pieces: an error line, a busy marker, a field. */
import type { ComponentChildren } from 'preact'
import { ApiError } from './api'

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null
  const text = error instanceof ApiError ? error.message : error instanceof Error ? error.message : String(error)
  return (
    <p class="error" role="alert">
      {text}
    </p>
  )
}

export function Busy({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="busy" role="status" aria-live="polite">
      {label}
    </p>
  )
}

export function Field({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
    </label>
  )
}

// The console's build: a single-page app (Preact + TypeScript) bundled by Vite into ../dist,
// which `clientele serve` serves at `/` (index.html) and `/console/assets/*`. Run by
// `npm run build:console`, which `npm ci` runs through `prepare`.
import { defineConfig } from 'vite'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: true,
    sourcemap: false,
    // One small bundle: the app is a few screens over the REST API.
    chunkSizeWarningLimit: 400,
  },
  logLevel: 'warn',
})

#!/usr/bin/env node
// The `clientele` command. Sources are TypeScript run through tsx's loader, so a clean clone
// needs no build step: `npm ci && npx clientele serve`.
import { register } from 'tsx/esm/api'

register()
await import('../src/cli/main.ts')

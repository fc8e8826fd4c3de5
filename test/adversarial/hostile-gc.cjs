// Loaded by the hostile harness into the `clientele serve` process it starts (`node --expose-gc
// --require …`), and nothing else: on SIGUSR2 it runs full garbage collections, waits for the
// freed pages to go back to the system, and writes one JSON line on stdout with the process's
// memory, so that the harness reads resident memory that is retained rather than garbage V8 has
// not yet collected (see `settledMemory` in hostile-harness.ts). The server itself is unchanged.
'use strict'
process.on('SIGUSR2', () => {
  globalThis.gc()
  globalThis.gc()
  setTimeout(() => {
    globalThis.gc()
    const m = process.memoryUsage()
    process.stdout.write(JSON.stringify({ msg: 'hostile-gc', rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external }) + '\n')
  }, 250)
})

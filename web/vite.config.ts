// The web app's build (ARCHITECTURE.md §10): static files in web/dist that nginx serves. Each screen is its own
// chunk (app.tsx loads them on demand), so the initial JS stays small (docs/performance.md).
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'
import preact from '@preact/preset-vite'

const contracts = (file: string) => fileURLToPath(new URL(`../packages/contracts/src/${file}`, import.meta.url))

export default defineConfig({
  plugins: [preact({ devToolsEnabled: false, prefreshEnabled: false })],
  resolve: {
    // Plain constants from @robbie/contracts, without the TypeBox schemas its index pulls in.
    alias: {
      '@robbie/contracts/scopes': contracts('scopes.ts'),
      '@robbie/contracts/fleet': contracts('fleet.ts')
    }
  },
  build: {
    target: 'es2022',
    // no inline <script>/<style>: the gateway's CSP allows 'self' only
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
    reportCompressedSize: false
  },
  server: {
    // `pnpm --filter @robbie/web dev` against a running fleet
    proxy: { '/api': 'http://localhost:3000', '/ws': { target: 'ws://localhost:3000', ws: true } }
  }
})

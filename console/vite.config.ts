// Builds the administration console (a single-page app served by the Carillon server under /console/).
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `vite dev` forwards the API calls to a Carillon server running on its default port.
const server = 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../dist/console',
    emptyOutDir: true,
    sourcemap: false,
    // Cloudscape is one large chunk by nature; splitting it buys nothing for an admin console.
    chunkSizeWarningLimit: 5000,
    rollupOptions: {
      // The server's wire modules (src/*/…-wire.ts), which the console imports, bring zod along; Rollup notes that
      // it cannot place some of zod's own /*@__PURE__*/ comments and drops them, which changes nothing.
      onwarn(warning, warn) {
        if (warning.code === 'INVALID_ANNOTATION' && warning.id?.includes('/node_modules/zod/')) return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: Object.fromEntries(['/console/api', '/accounts', '/deleted-accounts', '/audit-events', '/administrators', '/access-keys'].map((p) => [p, server])),
  },
});

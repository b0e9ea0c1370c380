import { defineConfig } from 'vite';

// A static build: `dist/` is served next to the node (see serve.mjs). Relative asset paths so
// that it can be served from any path.
export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 2500,
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 8080 },
});

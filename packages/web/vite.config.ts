import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/** `npm run dev`: the page with hot reload; the API and the live socket go to the server on PULSEBOARD_PORT. */
const target = `http://localhost:${process.env.PULSEBOARD_PORT ?? '3000'}`;

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api/v1/live': { target, ws: true },
      '/api': { target },
    },
  },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 1000,
    rolldownOptions: {
      output: {
        // Libraries in their own chunks: they download in parallel with the app's code, and a release that
        // changes only the app leaves their hashed files in the browser's cache.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'charts', test: /node_modules[\\/]/ },
          ],
        },
      },
    },
  },
});

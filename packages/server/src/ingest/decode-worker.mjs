// Worker entry: registers the TypeScript loader in this thread, then runs the worker body. A plain .mjs
// file so the worker starts the same way under `tsx`, under Vitest and from a compiled build.
import { register } from 'tsx/esm/api';

register();
await import('./decode-worker.ts');

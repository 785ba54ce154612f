/**
 * The pool threads' entry (the file piscina loads): parallel-worker.ts's task. `npm run
 * build` bundles this file into one module, as it does the command (dist/cli/main.js), so a
 * thread runs the same code as the main thread; parallel.ts itself imports
 * parallel-worker.ts, whose modules it shares.
 */
export { default } from './parallel-worker.js';

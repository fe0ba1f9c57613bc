#!/usr/bin/env node
// The CLI ships as compiled JS (dist/ is built by the root `prepare` script on `npm ci`).
import { enableCompileCache } from 'node:module';

// V8's code cache for the CLI bundle (Node ≥ 22.1; a no-op before): a later run skips compiling it. Enabled
// before the bundle is imported, since it applies to modules loaded after it.
enableCompileCache?.();
const { main } = await import('../dist/cli.js');

// `chan analyze … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);

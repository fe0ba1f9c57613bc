#!/usr/bin/env node
// The CLI ships as compiled JS (dist/ is built by the root `prepare` script on `npm ci`).
import { main } from '../dist/cli.js';

// `chan analyze … | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);

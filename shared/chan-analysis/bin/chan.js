#!/usr/bin/env node
// The CLI ships as compiled JS (dist/ is built by the root `prepare` script on `npm ci`).
import { main } from '../dist/cli.js';

process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);

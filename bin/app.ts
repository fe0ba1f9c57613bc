#!/usr/bin/env node
// CDK entry point (cdk.json "app"). Configuration comes from context; see lib/config.ts.
import { buildApp } from '../lib/app.js';
import { ContextConfigError } from '../lib/config.js';

try {
  buildApp().app.synth();
} catch (err) {
  if (err instanceof ContextConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}

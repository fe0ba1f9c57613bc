/**
 * The esbuild settings every Lambda bundle is built with, as plain data (no aws-cdk-lib import, which costs ~5 s),
 * so `npm run bench` can measure bundle sizes with exactly what the stack deploys.
 *
 * - ESM + `mainFields: ['module', 'main']`: tree-shakes the ESM builds of middy/powertools/zod; measured fastest
 *   cold import (stack-notes.md).
 * - The banner gives CommonJS dependencies bundled into an ESM file (ioredis) a working `require` for Node
 *   built-ins; without it they fail at import with "Dynamic require of 'events' is not supported".
 * - The AWS SDK v3 (and its @smithy internals) stays external: the Node 22/24 Lambda runtimes ship it, and
 *   bundling it would push the handlers past the 250 KB per-bundle target of issue 3. The price is that the
 *   deployed SDK version is the runtime's, not package-lock's; the handlers use only long-stable DynamoDB calls.
 * - The engine workspace package is bundled from its TypeScript source (alias), not from its tsc output in
 *   dist/: a deploy can then never ship a stale or missing engine build, and synth needs no prior build step.
 *   Paths are relative to the project root, where bundling runs.
 * - `target` follows the Lambda runtime (Node 24 supports all node22 syntax); the code itself stays Node 20
 *   compatible because development and CI run Node 20.
 */
export const ESBUILD_DEFAULTS = {
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  sourcesContent: false,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*', '@smithy/*'],
  alias: { 'chan-analysis': './shared/chan-analysis/src/index.ts' },
  banner:
    "import { createRequire as __chanCreateRequire } from 'node:module'; const require = __chanCreateRequire(import.meta.url);",
} as const;

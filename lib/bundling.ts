/**
 * The esbuild settings every Lambda bundle is built with, as plain data (no aws-cdk-lib import, which costs ~5 s),
 * so `npm run bench` can measure bundle sizes with exactly what the stack deploys.
 *
 * - ESM + `mainFields: ['module', 'main']`: tree-shakes the ESM builds of middy/powertools/zod; measured fastest
 *   cold import (stack-notes.md).
 * - No `createRequire` banner: no bundled dependency is CommonJS code that `require`s Node built-ins (the Redis
 *   client is the service's own, functions/cache/resp/). One that did would fail at import with "Dynamic require of
 *   'events' is not supported"; test/service/bundled-cache.test.ts builds every Lambda entry and checks for
 *   esbuild's dynamic-require shim.
 * - The AWS SDK v3 (and its @smithy internals) stays external: the Node 22/24 Lambda runtimes ship it, and
 *   bundling it would push the handlers past the 250 KB per-bundle target of issue 3. The price is that the
 *   deployed SDK version is the runtime's, not package-lock's; the handlers use only long-stable DynamoDB calls.
 * - The engine workspace package is bundled from its TypeScript source (alias), not from its tsc output in
 *   dist/: a deploy can then never ship a stale or missing engine build, and synth needs no prior build step.
 *   Paths are relative to the project root, where bundling runs.
 * - bench/bundles.ts builds with exactly these options (esbuildOptions below), so `npm run bench` measures what
 *   the stack deploys.
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
  alias: {
    'chan-analysis': './shared/chan-analysis/src/index.ts',
  },
} as const;

/**
 * ESBUILD_DEFAULTS as esbuild JS-API build options (what NodejsFunction passes to the esbuild CLI), for building a
 * handler outside CDK: the bench's bundle sizes and the bundled-cache test. Paths resolve from the project root.
 */
export function esbuildOptions(entry: string, root: string) {
  const abs = (p: string) => (p.startsWith('./') ? `${root.replace(/\/$/, '')}/${p.slice(2)}` : p);
  return {
    entryPoints: [entry],
    bundle: true,
    platform: ESBUILD_DEFAULTS.platform,
    format: ESBUILD_DEFAULTS.format,
    target: ESBUILD_DEFAULTS.target,
    minify: ESBUILD_DEFAULTS.minify,
    sourcemap: ESBUILD_DEFAULTS.sourcemap,
    sourcesContent: ESBUILD_DEFAULTS.sourcesContent,
    mainFields: [...ESBUILD_DEFAULTS.mainFields],
    external: [...ESBUILD_DEFAULTS.external],
    alias: Object.fromEntries(Object.entries(ESBUILD_DEFAULTS.alias).map(([from, to]) => [from, abs(to)])),
    absWorkingDir: root,
  };
}

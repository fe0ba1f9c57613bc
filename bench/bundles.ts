/**
 * Bundle each API handler the way the stack deploys it (esbuild, ESM, minified, node22, AWS SDK external — the
 * Lambda runtime provides it — and `mainFields: ['module','main']` so ESM builds of dependencies are picked) and
 * report the minified sizes against the 250 KB target.
 */
import { build } from 'esbuild';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const API_HANDLERS = ['health', 'symbols', 'klines', 'analysis', 'openapi'] as const;
export const BUNDLE_LIMIT_BYTES = 250 * 1024;

/** The esbuild options the CDK Lambda construct should mirror. */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  // CommonJS dependencies (ioredis) call require() on Node built-ins: give ESM output a require.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  legalComments: 'none',
} as const;

export async function bundleSizes(groups: readonly string[] = API_HANDLERS): Promise<{ name: string; bytes: number }[]> {
  const out: { name: string; bytes: number }[] = [];
  for (const g of groups) {
    const entry = `${root}functions/${g}/handler.ts`;
    if (!existsSync(entry)) continue;
    const r = await build({ ...BUNDLE_OPTIONS, mainFields: [...BUNDLE_OPTIONS.mainFields], external: [...BUNDLE_OPTIONS.external], entryPoints: [entry], write: false, logLevel: 'silent' });
    out.push({ name: g, bytes: r.outputFiles.reduce((n, f) => n + f.contents.byteLength, 0) });
  }
  return out;
}

export async function benchBundles(): Promise<string[]> {
  const sizes = await bundleSizes();
  return [
    'handler bundle sizes (esbuild ESM, minified, AWS SDK external; target ≤ 250 KB each):',
    ...sizes.map((s) => `  ${s.name.padEnd(10)} ${(s.bytes / 1024).toFixed(1).padStart(7)} KB  ${s.bytes <= BUNDLE_LIMIT_BYTES ? 'ok' : 'OVER'}`),
  ];
}

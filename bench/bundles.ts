/**
 * Bundle each API handler the way the stack deploys it — the same esbuild options, imported from lib/bundling.ts
 * (the one source NodejsFunction reads too): ESM, minified, node22, AWS SDK external (the Lambda runtime provides
 * it), `mainFields: ['module','main']`, the engine from its TypeScript source and the bundle-only aliases — and
 * report the minified size of each handler file (the source map, deployed beside it, is not counted) against the
 * 250 KB target, with the largest packages in it.
 */
import { build } from 'esbuild';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { esbuildOptions } from '../lib/bundling.js';
import { compress } from '../local/static-files.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const API_HANDLERS = ['health', 'symbols', 'klines', 'analysis', 'openapi'] as const;
export const BUNDLE_LIMIT_BYTES = 250 * 1024;

export interface BundleSize {
  name: string;
  bytes: number;
  /** Minified bytes per npm package (or source folder), largest first. */
  parts: { name: string; bytes: number }[];
}

export async function bundleSizes(groups: readonly string[] = API_HANDLERS): Promise<BundleSize[]> {
  const out: BundleSize[] = [];
  for (const g of groups) {
    const entry = `${root}functions/${g}/handler.ts`;
    if (!existsSync(entry)) continue;
    const r = await build({
      ...esbuildOptions(entry, root),
      outfile: `${root}cdk.out/bench-${g}.mjs`,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const code = r.outputFiles.find((f) => !f.path.endsWith('.map'))!;
    const meta = Object.values(r.metafile.outputs).find((o) => o.entryPoint)!;
    const parts = new Map<string, number>();
    for (const [file, v] of Object.entries(meta.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
      const key = m
        ? m[1]!
        : file.startsWith('shared/chan-analysis')
          ? 'chan-analysis (engine)'
          : file.replace(/\/[^/]+$/, '/');
      parts.set(key, (parts.get(key) ?? 0) + v.bytesInOutput);
    }
    out.push({
      name: g,
      bytes: code.contents.byteLength,
      parts: [...parts].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes),
    });
  }
  return out;
}

/** The chart page's script as built (web/dist) and on the wire, compressed as CloudFront (and npm start) send it. */
function chartPageScript(kb: (n: number) => string): string[] {
  const file = `${root}web/dist/app.js`;
  if (!existsSync(file)) return ['chart page: web/dist/app.js not built (npm run build:web)'];
  const raw = readFileSync(file);
  return [
    `chart page script web/dist/app.js: ${kb(raw.length)}, on the wire ${kb(compress(raw, 'br').length)} br / ${kb(compress(raw, 'gzip').length)} gzip`,
  ];
}

export async function benchBundles(): Promise<string[]> {
  const sizes = await bundleSizes();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  return [
    ...chartPageScript(kb),
    'handler bundle sizes (lib/bundling.ts options: esbuild ESM, minified, AWS SDK external; target ≤ 250 KB each):',
    ...sizes.map(
      (s) =>
        `  ${s.name.padEnd(10)} ${kb(s.bytes).padStart(9)}  ${s.bytes <= BUNDLE_LIMIT_BYTES ? 'ok  ' : 'OVER'}  largest: ${s.parts
          .slice(0, 5)
          .map((p) => `${p.name} ${kb(p.bytes)}`)
          .join(', ')}`,
    ),
  ];
}

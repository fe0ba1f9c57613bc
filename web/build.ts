/**
 * Builds the chart page into web/dist: src/main.ts bundled (with lightweight-charts) by esbuild into app.js,
 * plus index.html and style.css. `npm run build:web`; `--watch` rebuilds on change.
 */
import { build, context, type BuildOptions } from 'esbuild';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, 'dist');

const options: BuildOptions = {
  entryPoints: [join(root, 'src/main.ts')],
  outfile: join(dist, 'app.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

/** Write-then-rename: two test files building at once (two workers) never serve each other a half-written file. */
async function replace(path: string, contents: Uint8Array | string): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, contents);
  await rename(tmp, path);
}

async function copyStatic(): Promise<void> {
  await replace(join(dist, 'index.html'), await readFile(join(root, 'index.html')));
  await replace(join(dist, 'style.css'), await readFile(join(root, 'src/style.css')));
}

/** `clean` empties web/dist first (the CLI does); tests rebuild in place, so a server reading it never sees it empty. */
export async function buildWeb({ clean = false } = {}): Promise<void> {
  if (clean) await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const { outputFiles } = await build({ ...options, write: false });
  for (const f of outputFiles) await replace(f.path, f.contents);
  await copyStatic();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--watch')) {
    await mkdir(dist, { recursive: true });
    await copyStatic();
    const ctx = await context(options);
    await ctx.watch();
    console.log('watching web/src …');
  } else {
    const t0 = Date.now();
    await buildWeb({ clean: true });
    console.log(`web/dist built in ${Date.now() - t0} ms`);
  }
}

/**
 * The package build: declarations by tsc, code by esbuild. Each entry point (the library, the CLI) is bundled
 * into one ESM file, so importing the engine is one module load instead of ~45 (a fresh process, a CLI run or a
 * Lambda cold start pays module resolution per file).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';

const pkg = join(import.meta.dirname, '..');
rmSync(join(pkg, 'dist'), { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: pkg, stdio: 'inherit' });
await build({
  absWorkingDir: pkg,
  entryPoints: ['src/index.ts', 'src/cli.ts'],
  outdir: 'dist',
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});

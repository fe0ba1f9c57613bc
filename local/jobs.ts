/**
 * Jobs under `npm start`: POST /api/v1/jobs runs the jobs state machine from the synthesized template in this
 * process (local/state-machine.ts), with the real task handlers, instead of Step Functions.
 *
 * Synthesis takes seconds and ~0.5 GB, so it runs once in a child process and its output (the definition and the
 * task entries) is cached in node_modules/.cache/chan-local/, keyed by a hash of what it is built from (lib/, the
 * job model, the aws-cdk-lib version): a changed construct is re-synthesized on the next start, an unchanged
 * one costs a file read. The server answers at once; a job posted before the definition is ready waits for it.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExtractedJobs } from './jobs-synth.js';
import { loadTaskHandlers, localJobStarter, type RunReport } from './state-machine.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** The cache file for the current sources: changes whenever anything the definition is built from changes. */
export function jobsCacheFile(root = ROOT): string {
  const h = createHash('sha256');
  for (const f of [
    ...filesUnder(join(root, 'lib')),
    join(root, 'functions/jobs/model.ts'),
    join(root, 'local/jobs-synth.ts'),
  ]) {
    h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  }
  const cdk = join(root, 'node_modules/aws-cdk-lib/package.json');
  if (existsSync(cdk)) h.update((JSON.parse(readFileSync(cdk, 'utf8')) as { version: string }).version);
  return join(root, 'node_modules/.cache/chan-local', `jobs-${h.digest('hex').slice(0, 16)}.json`);
}

/** The cached definition, synthesizing it (in a child process) when the cache has none for these sources. */
export async function loadJobsDefinition(file = jobsCacheFile()): Promise<ExtractedJobs & { synthesized: boolean }> {
  if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')) as ExtractedJobs), synthesized: false };
  const stderr: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'local/jobs-synth.ts'), file], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0 || !existsSync(file)) {
    const why = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-3).join(' ');
    throw new Error(`synthesizing the jobs state machine (local/jobs-synth.ts) failed: ${why || `exit ${code}`}`);
  }
  return { ...(JSON.parse(readFileSync(file, 'utf8')) as ExtractedJobs), synthesized: true };
}

/**
 * Installs the in-process job starter. Returns at once; `ready` settles when the definition is loaded (its
 * failure makes every POST /api/v1/jobs a 500 that says why, see functions/jobs/handler.ts).
 */
export async function installLocalJobs(
  opts: { onEnd?(jobId: string, report: RunReport): void; onReady?(synthesized: boolean, ms: number): void } = {},
) {
  const { setJobStarter, StarterNotConfiguredError } = await import('../functions/jobs/starter.js');
  const t0 = performance.now();
  const ready = loadJobsDefinition().then(async (x) => {
    const loaded = { def: x.definition, handlers: await loadTaskHandlers(x.entries) };
    opts.onReady?.(x.synthesized, Math.round(performance.now() - t0));
    return loaded;
  });
  const usable = ready.catch((e: unknown) => {
    throw new StarterNotConfiguredError(`the local jobs state machine is unavailable: ${(e as Error).message}`);
  });
  // A failed load is reported by each start; until one asks, it is not an unhandled rejection.
  usable.catch(() => {});
  const local = localJobStarter(
    usable,
    // Real Retry waits, as in AWS: a local job behaves like a deployed one.
    { skipRetryWaits: false, onEnd: opts.onEnd },
  );
  setJobStarter(local.starter);
  return { ready, wait: local.wait };
}

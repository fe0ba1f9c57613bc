/**
 * Smoke test of a running stack:
 *
 *   CHAN_API_KEY=… npm run smoke -- https://{id}.execute-api.{region}.amazonaws.com/{stage}/ [--alarms]
 *                                   [--origin https://allowed.example.com] [--stage prod] [--region us-east-1]
 *
 * Prints one PASS/FAIL line per check (api-checks.ts, and with --alarms alarm-checks.ts) and exits 1 when any
 * check failed, 2 on a usage error. Writes carry the API key and, when the default AWS credential chain yields
 * credentials, a SigV4 signature (the deployed write routes require IAM authorization). The region comes from an
 * execute-api URL, else --region, AWS_REGION or AWS_DEFAULT_REGION; the stage for --alarms from the URL's first
 * path segment of an execute-api URL, else --stage. Against `npm start`: the URL it prints and its dev key.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { alarmChecks } from './alarm-checks.js';
import { apiChecks, type CheckResult } from './api-checks.js';
import { createWriteSigner, executeApiRegion, type CredentialProvider } from './signing.js';

export interface SmokeDeps {
  env?: Record<string, string | undefined>;
  out?: (line: string) => void;
  credentials?: CredentialProvider;
  /** Options of the alarm checks' polling (tests shorten them). */
  alarmPolling?: { timeoutMs: number; pollMs: number };
}

const USAGE =
  'usage: npm run smoke -- <API base URL> [--alarms] [--origin <allowed origin>] [--stage <stage>] [--region <region>]';

/** Runs the checks and reports them; resolves to the process exit code. */
export async function runSmoke(argv: string[], deps: SmokeDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const out = deps.out ?? ((l: string) => console.log(l));
  let args: ReturnType<typeof parse>;
  let base: URL;
  try {
    args = parse(argv);
    const raw = args.positionals[0];
    if (!raw || args.positionals.length > 1) throw new Error('give exactly one API base URL');
    base = new URL(raw.endsWith('/') ? raw : `${raw}/`);
    if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`not an http(s) URL: ${raw}`);
  } catch (e) {
    out(`smoke: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }

  const region =
    executeApiRegion(base) ?? args.values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const signer = await createWriteSigner(region, deps.credentials);
  const results: CheckResult[] = [];
  const report = (rs: CheckResult[]) => {
    for (const r of rs) out(`${r.ok ? 'PASS' : 'FAIL'}  ${r.name.padEnd(32)} ${r.detail}`);
    results.push(...rs);
  };

  report(await apiChecks({ base, apiKey: env.CHAN_API_KEY || undefined, origin: args.values.origin, signer }));

  if (args.values.alarms) {
    const stage = args.values.stage ?? (executeApiRegion(base) ? base.pathname.split('/')[1] : undefined);
    if (!stage) report([{ name: 'alarms', ok: false, detail: 'which stage? pass --stage (the stack\'s "stage")' }]);
    else {
      const cloudwatch = new CloudWatchClient({
        region,
        ...(deps.credentials ? { credentials: deps.credentials } : {}),
      });
      try {
        report(await alarmChecks({ cloudwatch, stage, ...deps.alarmPolling }));
      } finally {
        cloudwatch.destroy();
      }
    }
  }

  const failed = results.filter((r) => !r.ok).length;
  out(`${results.length - failed} passed, ${failed} failed (${base.href})`);
  return failed > 0 ? 1 : 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      alarms: { type: 'boolean', default: false },
      origin: { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
    },
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  runSmoke(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}

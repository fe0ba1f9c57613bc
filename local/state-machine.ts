/**
 * The jobs state machine on this machine: the ASL taken from the synthesized template (local/jobs-synth.ts), run
 * by aws-local-stepfunctions, every Task state running the real handler of the Lambda its Resource names in the
 * template. Used by `npm start` (local/jobs.ts), the state-machine and API tests, and the bench.
 *
 * Nothing here imports aws-cdk-lib: `npm start` reads a cached definition and must not pay for the CDK.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StateMachine, type RunOptions } from 'aws-local-stepfunctions';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation / ASL JSON, read loosely
export type Json = any;

export const FAKE_ACCOUNT = '123456789012';
export const FAKE_REGION = 'us-east-1';

const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Resolves the intrinsics a DefinitionString uses to plain strings (fake ARNs named after logical ids). */
export function resolveIntrinsics(v: Json): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object') {
    if ('Fn::Join' in v) {
      const [sep, parts] = v['Fn::Join'] as [string, Json[]];
      return parts.map(resolveIntrinsics).join(sep);
    }
    if ('Ref' in v) {
      const ref = v.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return FAKE_REGION;
      if (ref === 'AWS::AccountId') return FAKE_ACCOUNT;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return ref;
    }
    if ('Fn::GetAtt' in v) {
      const [id, attr] = v['Fn::GetAtt'] as [string, string];
      if (attr === 'Arn') return `arn:aws:lambda:${FAKE_REGION}:${FAKE_ACCOUNT}:function:${id}`;
      return `${id}.${attr}`;
    }
  }
  throw new Error(`unsupported intrinsic in DefinitionString: ${JSON.stringify(v)}`);
}

export function stateMachineDefinition(template: Json): Json {
  const machines = Object.values(template.Resources as Record<string, Json>).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  return JSON.parse(resolveIntrinsics(machines[0].Properties.DefinitionString));
}

/** Every Task state (nested Map processors included): name → Resource. */
export function taskStates(def: Json): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (states: Record<string, Json>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') out.set(name, s.Resource as string);
      const proc = s.ItemProcessor ?? s.Iterator;
      if (proc) walk(proc.States);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(def.States);
  return out;
}

/**
 * For each Task state, the entry file (functions/jobs/tasks/*.ts) of the Lambda its Resource names, read from
 * the function's description in the template (lib/jobs.ts writes it there).
 */
export function taskEntries(template: Json, def: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [state, resource] of taskStates(def)) {
    const logicalId = resource.split(':function:')[1];
    const fn = template.Resources[logicalId!];
    if (fn?.Type !== 'AWS::Lambda::Function')
      throw new Error(`state ${state}: ${resource} is not a Lambda function of the template`);
    const entry = /\((functions\/jobs\/tasks\/[\w-]+\.ts)\)/.exec(fn.Properties.Description as string)?.[1];
    if (!entry) throw new Error(`state ${state}: no entry in the description of ${logicalId}`);
    out[state] = entry;
  }
  return out;
}

export type TaskHandler = (input: Json) => Promise<Json>;

/** Imports each state's handler module, wrapped as Lambda and Step Functions see it (JSON copies both ways). */
export async function loadTaskHandlers(entries: Record<string, string>): Promise<Record<string, TaskHandler>> {
  const out: Record<string, TaskHandler> = {};
  for (const [state, entry] of Object.entries(entries)) {
    const mod = (await import(pathToFileURL(join(PROJECT_ROOT, entry)).href)) as { handler: TaskHandler };
    out[state] = async (input) =>
      JSON.parse(JSON.stringify((await mod.handler(JSON.parse(JSON.stringify(input)))) ?? null));
  }
  return out;
}

/** For each Task state, the handler its Lambda was built from (per the template). */
export async function templateHandlers(template: Json, def: Json): Promise<Record<string, TaskHandler>> {
  return loadTaskHandlers(taskEntries(template, def));
}

export interface RunReport {
  output: Json;
  error?: Error;
  events: Json[];
}

export interface RunExecutionOptions {
  overrides?: RunOptions['overrides'];
  /** Run Retry for real but without its (jittered, seconds-long) waits: the tests' choice. Default true. */
  skipRetryWaits?: boolean;
}

/** Runs one execution to its end, collecting the event log. */
export async function runExecution(
  def: Json,
  handlers: Record<string, TaskHandler>,
  input: Json,
  opts: RunExecutionOptions = {},
): Promise<RunReport> {
  const sm = new StateMachine(def, { validationOptions: { checkArn: false } });
  const retryIntervalOverrides =
    opts.skipRetryWaits === false ? {} : Object.fromEntries([...taskStates(def).keys()].map((s) => [s, 0]));
  const run = sm.run(input, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides, ...opts.overrides },
  });
  const events: Json[] = [];
  const collecting = (async () => {
    for await (const e of run.eventLogs) events.push(e);
  })();
  let output: Json;
  let error: Error | undefined;
  try {
    output = await run.result;
  } catch (e) {
    error = e as Error;
  }
  await collecting;
  return { output, error, events };
}

/**
 * A JobStarter that runs the definition in-process, in the background (POST answers 202 at once, as with
 * StartExecution); `wait(id)` resolves when that execution has ended. `ready` lets the definition arrive later
 * (npm start answers requests before it has loaded it).
 */
export function localJobStarter(
  ready:
    | Promise<{ def: Json; handlers: Record<string, TaskHandler> }>
    | { def: Json; handlers: Record<string, TaskHandler> },
  opts: RunExecutionOptions & { onEnd?(jobId: string, report: RunReport): void } = {},
) {
  const runs = new Map<string, Promise<RunReport>>();
  return {
    starter: {
      start: async (input: { jobId: string }) => {
        const { def, handlers } = await ready;
        const run = runExecution(def, handlers, input, opts);
        runs.set(input.jobId, run);
        // A long-running `npm start` keeps only the newest runs for wait().
        if (runs.size > 1000) runs.delete(runs.keys().next().value!);
        if (opts.onEnd) void run.then((r) => opts.onEnd!(input.jobId, r));
        return `local:execution:${input.jobId}`;
      },
    },
    wait: (jobId: string): Promise<RunReport> => {
      const r = runs.get(jobId);
      if (!r) throw new Error(`no local execution for job ${jobId}`);
      return r;
    },
  };
}

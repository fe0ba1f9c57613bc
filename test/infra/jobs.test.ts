/**
 * Template assertions for the Jobs construct (lib/jobs.ts) in a small stack of its own: a logged STANDARD
 * state machine of JSONPath states; inline and DISTRIBUTED Maps with bounded concurrency; Retry with backoff on
 * throttling for every task; a Catch per symbol; the API write function wired to start executions; cdk-nag
 * clean for everything the construct adds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { INLINE_MAP_MAX_ITEMS } from '../../functions/jobs/model.js';
import type { ApiHandlers } from '../../lib/api-handlers.js';
import { JOB_TASKS, STATES, THROTTLING_ERRORS } from '../../lib/jobs.js';
import { ServiceFunction } from '../../lib/service-function.js';
import { stateMachineDefinition, synthJobsStack, taskStates, type Json, type JobsStack } from '../jobs/harness.js';

let s: JobsStack;
let def: Json;
let apiFnRoleId: string;
const nag: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] = [];

beforeAll(() => {
  let apiFn: ServiceFunction | undefined;
  s = synthJobsStack({
    extra: (stack, defaults) => {
      Validations.of(stack).addPlugins(new AwsSolutionsChecks(stack));
      apiFn = new ServiceFunction(stack, 'JobsApi', {
        defaults,
        entry: join(import.meta.dirname, 'fixtures/stub-handler.ts'),
        description: 'jobs API (write)',
        usesCache: true,
      });
      // Only functionFor is read by Jobs: the API function that serves POST /api/v1/jobs.
      return {
        handlers: {
          functionFor: (g: string, a: string) => (g === 'jobs' && a === 'write' ? apiFn : undefined),
        } as unknown as ApiHandlers,
      };
    },
  });
  def = stateMachineDefinition(s.template);
  apiFnRoleId = s.stack.getLogicalId(apiFn!.role.node.defaultChild as never);
  const report = JSON.parse(readFileSync(join(s.app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: typeof nag }[];
  };
  nag.push(...report.pluginReports.flatMap((r) => r.violations));
}, 120_000);

const resources = (type: string): [string, Json][] =>
  Object.entries(s.template.Resources as Record<string, Json>).filter(([, r]) => r.Type === type);

describe('Jobs state machine', () => {
  it('is a STANDARD machine logging every event to its own log group, with a timeout', () => {
    const [[, sm]] = resources('AWS::StepFunctions::StateMachine');
    expect(sm.Properties.StateMachineType).toBe('STANDARD');
    expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    const dest = sm.Properties.LoggingConfiguration.Destinations[0].CloudWatchLogsLogGroup.LogGroupArn['Fn::GetAtt'][0];
    expect(s.template.Resources[dest].Type).toBe('AWS::Logs::LogGroup');
    expect(s.template.Resources[dest].Properties.RetentionInDays).toBe(14);
    expect(def.TimeoutSeconds).toBe(7200);
    expect(def.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
  });

  it('routes multilevel to its task and large universes to the DISTRIBUTED Map (EXPRESS children, bounded)', () => {
    const route = def.States[STATES.route];
    expect(route.Choices).toEqual([
      { Variable: '$.kind', StringEquals: 'multilevel', Next: STATES.multilevel },
      { Variable: '$.large', BooleanEquals: true, Next: STATES.mapDistributed },
    ]);
    expect(route.Default).toBe(STATES.map);
    const inline = def.States[STATES.map];
    const dist = def.States[STATES.mapDistributed];
    expect(inline.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'INLINE' });
    expect(inline.MaxConcurrency).toBe(40);
    expect(dist.ItemProcessor.ProcessorConfig).toEqual({ Mode: 'DISTRIBUTED', ExecutionType: 'EXPRESS' });
    expect(dist.MaxConcurrency).toBe(100);
    for (const m of [inline, dist]) {
      expect(m.ItemsPath).toBe('$.symbols');
      // Per-symbol results are written by the tasks; nothing is collected into the 256 KB state.
      expect(m.ResultPath).toBeNull();
      expect(m.Next).toBe(STATES.aggregate);
    }
    expect(INLINE_MAP_MAX_ITEMS).toBe(500);
  });

  it('retries every task on throttling with exponential backoff and jitter', () => {
    const states = taskStates(def);
    expect(states.size).toBe(8);
    const all: Json[] = [];
    const walk = (o: Record<string, Json>) => {
      for (const st of Object.values(o)) {
        if (st.Type === 'Task') all.push(st);
        if (st.ItemProcessor) walk(st.ItemProcessor.States);
      }
    };
    walk(def.States);
    for (const t of all) {
      const r = t.Retry.find((x: Json) => x.ErrorEquals.includes('Lambda.TooManyRequestsException'));
      expect(r).toMatchObject({
        ErrorEquals: THROTTLING_ERRORS,
        IntervalSeconds: 2,
        BackoffRate: 2,
        MaxAttempts: 6,
        MaxDelaySeconds: 60,
        JitterStrategy: 'FULL',
      });
    }
  });

  it('catches each symbol on its own and job-level failures in MarkFailed', () => {
    for (const [map, sym, rec] of [
      [STATES.map, STATES.symbol, STATES.recordFailure],
      [STATES.mapDistributed, STATES.symbolDistributed, STATES.recordFailureDistributed],
    ]) {
      const p = def.States[map!].ItemProcessor.States;
      expect(p[sym!].Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: rec }]);
      expect(def.States[map!].Catch[0].Next).toBe(STATES.markFailed);
    }
    for (const st of [STATES.prepare, STATES.multilevel, STATES.aggregate])
      expect(def.States[st].Catch[0].Next).toBe(STATES.markFailed);
    expect(def.States[STATES.markFailed].Next).toBe(STATES.failed);
    expect(def.States[STATES.failed].Type).toBe('Fail');
  });

  it('builds one Lambda per task with its sizing, each allowed to use the table', () => {
    const fns = resources('AWS::Lambda::Function').filter(([, f]) => /job task/.test(f.Properties.Description ?? ''));
    expect(fns).toHaveLength(Object.keys(JOB_TASKS).length);
    for (const t of Object.values(JOB_TASKS)) {
      const [, f] = fns.find(([, x]) => x.Properties.Description.includes(t.entry))!;
      expect(f.Properties.MemorySize).toBe(t.memorySize);
      expect(f.Properties.Timeout).toBe(t.timeout.toSeconds());
    }
  });

  it('lets the API write function start executions and tells it which machine', () => {
    const [[smId]] = resources('AWS::StepFunctions::StateMachine');
    const [, fn] = resources('AWS::Lambda::Function').find(([, f]) => f.Properties.Description === 'jobs API (write)')!;
    expect(fn.Properties.Environment.Variables.JOBS_STATE_MACHINE_ARN).toEqual({ Ref: smId });
    const statements = resources('AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === apiFnRoleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Action: 'states:StartExecution', Effect: 'Allow', Resource: { Ref: smId } }),
    );
  });

  it('adds no unacknowledged cdk-nag (AwsSolutions) finding', () => {
    const ours = nag.filter((v) => v.violatingConstructs.some((c) => c.constructPath.includes('/Jobs/')));
    expect(ours.map((v) => `${v.ruleName}: ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`)).toEqual(
      [],
    );
  });
});

/**
 * Wiring tests: what only AWS evaluates, evaluated from the synthesized default stack (one synth for the file).
 *
 * - Authorization: every service-to-service edge the template declares (test/infra/wiring/edges.ts) and every
 *   call in each function's manifest (lib/aws-calls.ts), evaluated by an IAM policy simulator over identity and
 *   resource policies with intrinsics resolved for one account and region. A census counted straight from the
 *   template proves no declared edge went unevaluated; removing a grant from a copy of the template proves the
 *   evaluation catches it.
 * - The manifest against the code: the SDK commands and public-host calls in each function's bundle.
 * - Reachability: every function reaches the AWS services, public hosts and cache it calls.
 * - Account prerequisites: the stack deploys into an account that has nothing but `cdk bootstrap`.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { AWS_CALLS } from '../../lib/aws-calls.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import { ServiceFunction } from '../../lib/service-function.js';
import { EdgeBuilder, type Edge, type FunctionCalls } from './wiring/edges.js';
import { countByKind, evaluateAll, type Verdict } from './wiring/evaluate.js';
import { NetworkModel, type Destination } from './wiring/network.js';
import { Resolver } from './wiring/resolve.js';
import { callsOfEntries, type EntryCalls } from './wiring/sdk-calls.js';
import { synth, type CfnTemplate, type Synthesized } from './synth.js';

interface Deployed {
  /** Construct path below the stack: the manifest key. */
  name: string;
  fn: ServiceFunction;
  functionId: string;
}

let s: Synthesized;
let deployed: Deployed[];
let calls: FunctionCalls[];
let builder: EdgeBuilder;
let verdicts: Verdict[];
let code: Map<string, EntryCalls>;

const logicalId = (c: IConstruct): string => {
  const el = (c.node.defaultChild ?? c) as CfnElement;
  return Stack.of(c).resolve(Stack.of(c).getLogicalId(el)) as string;
};
const byPath = (stack: Stack, path: string): IConstruct => {
  let c: IConstruct = stack;
  for (const part of path.split('/')) {
    const next = c.node.tryFindChild(part);
    if (!next) throw new Error(`lib/aws-calls.ts: no construct ${path} in the stack (missing ${part})`);
    c = next;
  }
  return c;
};
const parseCall = (call: string): { action: string; target: string } => {
  const m = /^(\w+:\w+) on (.+)$/.exec(call);
  if (!m) throw new Error(`lib/aws-calls.ts: "${call}" is not "<service>:<Action> on <construct path>"`);
  return { action: m[1]!, target: m[2]! };
};

const evaluate = async (json: CfnTemplate): Promise<{ b: EdgeBuilder; v: Verdict[] }> => {
  const b = new EdgeBuilder(new Resolver(json));
  return { b, v: await evaluateAll(b.edges(calls), b.policies) };
};
const failures = (v: Verdict[]) => v.filter((x) => !x.allowed);
const describeFailures = (v: Verdict[]) =>
  failures(v)
    .map((x) => `[${x.edge.kind}] ${x.edge.label}: ${x.reason}`)
    .join('\n');

/** Entries that look like Lambda handlers: bundled while the stack synthesizes (esbuild runs in its own process). */
const likelyEntries = (): string[] =>
  readdirSync(join(PROJECT_ROOT, 'functions'), { recursive: true, encoding: 'utf8' })
    .filter((f) => /(^|\/)(handler|[\w-]+-handler)\.ts$|^jobs\/tasks\/[\w-]+\.ts$/.test(f))
    .map((f) => join(PROJECT_ROOT, 'functions', f));

beforeAll(async () => {
  const early = callsOfEntries(likelyEntries());
  s = synth();
  if (s.error) throw s.error;
  deployed = s.stack.node
    .findAll()
    .filter((c): c is ServiceFunction => c instanceof ServiceFunction)
    .map((fn) => ({
      name: fn.node.path.slice(s.stack.node.path.length + 1),
      fn,
      functionId: logicalId(fn.function),
    }));
  calls = deployed.map((d) => ({
    name: d.name,
    functionId: d.functionId,
    calls: (AWS_CALLS[d.name]?.sends ?? []).map(parseCall).map((c) => ({
      action: c.action,
      targetId: logicalId(byPath(s.stack, c.target)),
    })),
  }));
  ({ b: builder, v: verdicts } = await evaluate(s.json));
  code = await early;
  const missed = [...new Set(deployed.map((d) => d.fn.entry))].filter((e) => !code.has(e));
  if (missed.length) for (const [e, c] of await callsOfEntries(missed)) code.set(e, c);
}, 300_000);

describe('authorization: every edge evaluated over identity and resource policies', () => {
  it('evaluates at least as many edges of each kind as the template declares', () => {
    const evaluated = countByKind(verdicts);
    const declared = builder.census(calls);
    const table = Object.entries(declared).map(([k, n]) => `${k}: ${evaluated[k as Edge['kind']] ?? 0}/${n}`);
    console.log(`wiring: ${verdicts.length} edges evaluated (${table.join(', ')})`);
    for (const [kind, n] of Object.entries(declared)) {
      expect(evaluated[kind as Edge['kind']] ?? 0, `${kind} edges evaluated`).toBeGreaterThanOrEqual(n);
    }
    expect(verdicts.length).toBeGreaterThanOrEqual(Object.values(declared).reduce((a, b) => a + b, 0));
  });

  it('allows every edge', () => {
    expect(describeFailures(verdicts)).toBe('');
  });

  it('lets CloudWatch publish every alarm action to its topic', () => {
    const alarms = verdicts.filter((v) => v.edge.kind === 'alarm action');
    expect(alarms.length).toBeGreaterThan(0);
    expect(describeFailures(alarms)).toBe('');
  });

  it("gives the API stage's logging an account CloudWatch role it can use", () => {
    const logging = verdicts.filter((v) => v.edge.kind === 'api stage logging');
    expect(logging.length).toBeGreaterThan(0);
    expect(describeFailures(logging)).toBe('');
  });

  it("catches a grant removed from a function's role policy, and only the calls that needed it", async () => {
    const worker = deployed.find((d) => d.name === 'Ingestion/Worker')!;
    const roleId = logicalId(worker.fn.role);
    const isSend = (e: Edge) => e.kind === 'function call' && e.label.startsWith('Ingestion/Worker sqs:SendMessage');
    expect(verdicts.filter((v) => isSend(v.edge) && v.allowed)).toHaveLength(1);

    // Take sqs:SendMessage out of the worker's role policy (the statement also holds the event source's actions,
    // merged by CDK, which must keep working).
    const mutated = structuredClone(s.json);
    let removed = 0;
    for (const r of Object.values(mutated.Resources)) {
      if (r.Type !== 'AWS::IAM::Policy' || !JSON.stringify(r.Properties!.Roles).includes(`"${roleId}"`)) continue;
      const st = r.Properties!.PolicyDocument.Statement as { Action: string | string[] }[];
      for (const x of st) {
        const actions = [x.Action].flat();
        if (!actions.includes('sqs:SendMessage')) continue;
        x.Action = actions.filter((a) => a !== 'sqs:SendMessage');
        removed++;
      }
    }
    expect(removed).toBeGreaterThan(0);
    const { v } = await evaluate(mutated);
    const before = new Set(failures(verdicts).map((x) => `${x.edge.label} ${x.edge.action}`));
    const newlyFailed = failures(v)
      .map((x) => x.edge)
      .filter((e) => !before.has(`${e.label} ${e.action}`));
    expect(newlyFailed.some(isSend)).toBe(true);
    // Only what depended on that statement fails.
    expect(newlyFailed.every((e) => e.role === roleId && e.action === 'sqs:SendMessage')).toBe(true);
  });

  it("catches CloudWatch's publish grant removed from a topic policy", async () => {
    const mutated = structuredClone(s.json);
    const topicPolicies = Object.values(mutated.Resources).filter((r) => r.Type === 'AWS::SNS::TopicPolicy');
    let removed = 0;
    for (const p of topicPolicies) {
      const st = p.Properties!.PolicyDocument.Statement as { Principal?: unknown; Effect: string }[];
      const keep = st.filter((x) => !(x.Effect === 'Allow' && JSON.stringify(x.Principal).includes('cloudwatch')));
      removed += st.length - keep.length;
      p.Properties!.PolicyDocument.Statement = keep;
    }
    expect(removed, 'topic policies hold an Allow for cloudwatch.amazonaws.com').toBeGreaterThan(0);
    const { v } = await evaluate(mutated);
    const alarms = v.filter((x) => x.edge.kind === 'alarm action');
    expect(alarms.length).toBeGreaterThan(0);
    expect(alarms.every((x) => !x.allowed)).toBe(true);
  });
});

describe('function manifest (lib/aws-calls.ts) against the stack and the code', () => {
  it('names every function of the stack, and nothing else', () => {
    expect(Object.keys(AWS_CALLS).sort()).toEqual(deployed.map((d) => d.name).sort());
  });

  it("matches the SDK commands and public-host calls in each function's bundle", () => {
    const problems: string[] = [];
    for (const d of deployed) {
      const m = AWS_CALLS[d.name];
      if (!m) {
        problems.push(`${d.name}: no entry in lib/aws-calls.ts`);
        continue;
      }
      const inCode = code.get(d.fn.entry)!;
      const codeActions = new Set(inCode.aws.map((c) => c.action));
      const sent = new Set(m.sends.map((c) => parseCall(c).action));
      const bundledOnly = new Set(Object.keys(m.bundledOnly ?? {}));
      for (const c of inCode.aws) {
        if (!sent.has(c.action) && !bundledOnly.has(c.action))
          problems.push(`${d.name}: ${c.file} sends ${c.action} (${c.site}) — not in its manifest`);
      }
      for (const a of [...sent, ...bundledOnly]) {
        if (!codeActions.has(a)) problems.push(`${d.name}: manifest lists ${a}, which its bundle never sends`);
      }
      if (inCode.internet.length && !m.internet && !bundledOnly.has('internet'))
        problems.push(`${d.name}: ${inCode.internet.join(', ')} call public hosts — manifest has no "internet"`);
      if (m.internet && !inCode.internet.length)
        problems.push(`${d.name}: manifest says internet, the code calls none`);
    }
    expect([...new Set(problems)].join('\n')).toBe('');
  });
});

/** Every function → destination path (AWS services and public hosts from its manifest, the cache from REDIS_URL). */
function reachability(json: CfnTemplate): { checked: number; problems: string[] } {
  const b = json === s.json ? builder : new EdgeBuilder(new Resolver(json));
  const net = new NetworkModel(b.resolver, b.policies);
  const caches = Object.keys(b.policies.resources).filter(
    (id) => b.policies.resources[id]!.Type === 'AWS::ElastiCache::ServerlessCache',
  );
  const problems: string[] = [];
  let checked = 0;
  for (const d of deployed) {
    const m = AWS_CALLS[d.name] ?? { sends: [] };
    const services = new Set(m.sends.map((c) => parseCall(c).action.split(':')[0]!));
    const dests: Destination[] = [...services].map((service) => ({ kind: 'aws', service }));
    if (m.internet) dests.push({ kind: 'internet' });
    const redis = String(b.policies.resources[d.functionId]!.Properties.Environment?.Variables?.REDIS_URL ?? '');
    for (const cacheId of caches) {
      if (redis && redis.includes(String(b.resolver.getAtt(cacheId, 'Endpoint.Address'))))
        dests.push({ kind: 'cache', cacheId });
    }
    for (const dest of dests) {
      checked++;
      const why = net.unreachable(d.functionId, dest);
      if (why) problems.push(`${d.name} → ${dest.kind === 'aws' ? dest.service : dest.kind}: ${why}`);
    }
  }
  return { checked, problems };
}

describe('reachability: every function reaches what it calls', () => {
  it('has a route and security-group egress to each AWS service, public host and the cache', () => {
    const { checked, problems } = reachability(s.json);
    console.log(`reachability: ${checked} function → destination paths checked`);
    expect(checked).toBeGreaterThan(deployed.length);
    expect(problems.join('\n')).toBe('');
  });

  it('catches a removed NAT route (DynamoDB stays reachable through its gateway endpoint) and a closed cache port', () => {
    const noNat = structuredClone(s.json);
    for (const [id, r] of Object.entries(noNat.Resources))
      if (r.Type === 'AWS::EC2::Route' && r.Properties!.NatGatewayId) delete noNat.Resources[id];
    const cut = reachability(noNat).problems;
    expect(cut.length).toBeGreaterThan(0);
    expect(cut.some((p) => p.startsWith('Ingestion/Worker → internet'))).toBe(true);
    expect(cut.filter((p) => / → dynamodb: /.test(p))).toEqual([]);

    const closed = structuredClone(s.json);
    for (const [id, r] of Object.entries(closed.Resources))
      if (r.Type === 'AWS::EC2::SecurityGroupIngress' && r.Properties!.FromPort === 6379) delete closed.Resources[id];
    const blocked = reachability(closed).problems;
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.every((p) => p.includes(' → cache: '))).toBe(true);
  });

  it('puts a function in the VPC only when it uses a VPC resource (the cache)', () => {
    const inVpcWithoutCache = deployed
      .filter((d) => {
        const p = builder.policies.resources[d.functionId]!.Properties;
        return p.VpcConfig?.SubnetIds?.length && !p.Environment?.Variables?.REDIS_URL;
      })
      .map((d) => d.name);
    expect(inVpcWithoutCache).toEqual([]);
  });
});

describe('account prerequisites: nothing but `cdk bootstrap`', () => {
  const allStrings = (v: unknown, out: string[] = []): string[] => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach((x) => allStrings(x, out));
    else if (v && typeof v === 'object') Object.values(v).forEach((x) => allStrings(x, out));
    return out;
  };

  it('takes no parameter but the bootstrap version, imports nothing, looks nothing up', () => {
    const t = s.json as CfnTemplate & { Parameters?: Record<string, { Type: string; Default?: string }> };
    const params = Object.entries(t.Parameters ?? {});
    expect(params.map(([k]) => k)).toEqual(['BootstrapVersion']);
    expect(params[0]![1].Default).toMatch(/^\/cdk-bootstrap\/\w+\/version$/);
    const text = JSON.stringify(t.Resources);
    expect(text).not.toContain('Fn::ImportValue');
    // Dynamic references may only name secrets this stack creates, never SSM parameters that must already exist.
    const resolver = new Resolver(t);
    const ownSecrets = Object.keys(t.Resources)
      .filter((id) => t.Resources[id]!.Type === 'AWS::SecretsManager::Secret')
      .map((id) => resolver.ref(id));
    const dynamic = allStrings(resolver.resolvedResources()).flatMap((x) => [
      ...x.matchAll(/\{\{resolve:(\w+):([^}]*)\}\}/g),
    ]);
    for (const [ref, service, rest] of dynamic) {
      expect(service, ref).toBe('secretsmanager');
      expect(
        ownSecrets.some((arn) => rest!.startsWith(arn)),
        ref,
      ).toBe(true);
    }
    // Context lookups (Vpc.fromLookup, ...) leave "missing" entries in the cloud assembly when unanswered and
    // cdk.context.json entries when answered; the stack must need neither.
    const manifest = JSON.parse(readFileSync(join(dirname(s.templatePath), 'manifest.json'), 'utf8')) as {
      missing?: unknown[];
    };
    expect(manifest.missing ?? []).toEqual([]);
    const contextFile = join(dirname(new URL(import.meta.url).pathname), '../../cdk.context.json');
    if (existsSync(contextFile)) expect(Object.keys(JSON.parse(readFileSync(contextFile, 'utf8')))).toEqual([]);
  });

  it('names no existing account resource by ARN', () => {
    const literalArns = allStrings(s.json.Resources).filter((x) => /arn:aws[\w-]*:[\w-]+:[\w-]*:\d{12}:/.test(x));
    expect(literalArns).toEqual([]);
  });

  it('creates the API Gateway account CloudWatch role its stage logging needs', () => {
    const stages = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Stage');
    const logging = stages.some(
      (st) =>
        st.Properties!.AccessLogSetting || JSON.stringify(st.Properties!.MethodSettings ?? []).includes('LoggingLevel'),
    );
    expect(logging).toBe(true);
    const accounts = Object.values(s.json.Resources).filter((r) => r.Type === 'AWS::ApiGateway::Account');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]!.Properties!.CloudWatchRoleArn).toBeDefined();
  });
});

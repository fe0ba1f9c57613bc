/**
 * Synthesizes the real app (lib/app.ts: same stack, same cdk-nag plugin) with cdk.json's context plus overrides,
 * bundling skipped. Each test file calls this once in beforeAll: importing and synthesizing aws-cdk-lib is the
 * slow part (~5 s).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { HandlerGroup } from '../../functions/routes.js';
import { buildApp } from '../../lib/app.js';
import { PROJECT_ROOT } from '../../lib/chan-stack.js';
import { DEFAULT_WEB_DIST } from '../../lib/chart-site.js';
import type { ChanStack } from '../../lib/chan-stack.js';

export const STUB_ENTRY = join(PROJECT_ROOT, 'test/infra/fixtures/stub-handler.ts');
export const ALL_GROUPS: HandlerGroup[] = ['health', 'openapi', 'symbols', 'klines', 'analysis', 'jobs'];
export const ALL_STUBS = Object.fromEntries(ALL_GROUPS.map((g) => [g, STUB_ENTRY])) as Record<HandlerGroup, string>;

export interface NagViolation {
  ruleName: string;
  description: string;
  violatingConstructs: { constructPath: string }[];
}

export interface Synthesized {
  stack: ChanStack;
  template: Template;
  json: CfnTemplate;
  templatePath: string;
  /** Unacknowledged cdk-nag findings, from the validation report the real plugin wrote. */
  nagViolations: NagViolation[];
  /** Set when synthesis threw for another reason than failed validation. */
  error?: unknown;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation JSON, read loosely
type Json = Record<string, any>;

export interface CfnResourceJson {
  Type: string;
  Properties?: Json;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
export interface CfnTemplate {
  Resources: Record<string, CfnResourceJson>;
  Outputs?: Record<string, unknown>;
}

/**
 * The stack's ChartSite deploys web/dist, so synthesis needs the built page (`npm run build:web`, which the root
 * `prepare` script runs on install). A fresh checkout without it gets it built here, once.
 */
export function ensureWebBuilt(): void {
  if (existsSync(join(DEFAULT_WEB_DIST, 'index.html'))) return;
  const r = spawnSync('npm', ['run', 'build:web'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (r.status !== 0 || !existsSync(join(DEFAULT_WEB_DIST, 'index.html'))) {
    throw new Error(`npm run build:web failed (needed to synthesize the chart site):\n${r.stdout}\n${r.stderr}`);
  }
}

export function synth(
  overrides: Record<string, unknown> = {},
  handlerEntries?: Partial<Record<HandlerGroup, string>>,
): Synthesized {
  ensureWebBuilt();
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'chan-cdk-'));
  const { app, stack } = buildApp({
    outdir,
    handlerEntries,
    context: { ...cdkJson.context, ...overrides, 'aws:cdk:bundling-stacks': [] },
  });
  let error: unknown;
  try {
    app.synth();
  } catch (e) {
    // cdk-nag findings make synth throw ValidationFailed after the templates are written; the report says why.
    if (!String(e).includes('Validation failed')) error = e;
  }
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { violations: NagViolation[] }[];
  };
  const templatePath = join(outdir, stack.templateFile);
  const json = JSON.parse(readFileSync(templatePath, 'utf8')) as CfnTemplate;
  return {
    stack,
    template: Template.fromJSON(json),
    json,
    templatePath,
    // The report also carries construct warnings (feature flag annotationsInValidationReport), e.g. unwired routes.
    nagViolations: report.pluginReports
      .flatMap((r) => r.violations)
      .filter((v) => !v.ruleName.startsWith('Annotation::')),
    error,
  };
}

/** Logical IDs of the resources of a type. */
export const ofType = (t: CfnTemplate, type: string): [string, CfnResourceJson][] =>
  Object.entries(t.Resources).filter(([, r]) => r.Type === type);

/** "Ref X" or "Fn::GetAtt [X, ...]" → X (pseudo parameters such as AWS::Region → undefined). */
export const refId = (v: unknown): string | undefined => {
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (typeof o.Ref === 'string') return o.Ref.startsWith('AWS::') ? undefined : o.Ref;
    if (Array.isArray(o['Fn::GetAtt'])) return o['Fn::GetAtt'][0] as string;
  }
  return undefined;
};

/** Full path ("/api/v1/klines/{symbol}") of every API Gateway resource, by logical ID; the root is "/". */
export function resourcePaths(t: CfnTemplate): Map<string, string> {
  const resources = new Map(ofType(t, 'AWS::ApiGateway::Resource'));
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known) return known;
    const r = resources.get(id)!;
    const parent = r.Properties!.ParentId as Record<string, unknown>;
    const parentPath = 'Fn::GetAtt' in parent ? '' : pathOf(refId(parent)!);
    const p = `${parentPath}/${r.Properties!.PathPart}`;
    paths.set(id, p);
    return p;
  };
  for (const id of resources.keys()) pathOf(id);
  return paths;
}

export interface MethodInfo {
  id: string;
  path: string;
  httpMethod: string;
  props: Json;
  /** Logical ID of the Lambda function a proxy integration invokes. */
  functionId?: string;
}

export function methods(t: CfnTemplate): MethodInfo[] {
  const paths = resourcePaths(t);
  return ofType(t, 'AWS::ApiGateway::Method').map(([id, r]) => {
    const p = r.Properties!;
    const resId = p.ResourceId as Record<string, unknown>;
    const path = 'Fn::GetAtt' in resId ? '/' : paths.get(refId(resId)!)!;
    const uriParts = p.Integration?.Uri?.['Fn::Join']?.[1] as unknown[] | undefined;
    const functionId = uriParts?.map(refId).find((x) => x !== undefined);
    return { id, path, httpMethod: p.HttpMethod as string, props: p, functionId };
  });
}

/** Every IAM action granted to a role: inline policies attached to it and customer managed policies it uses. */
export function roleStatements(
  t: CfnTemplate,
  roleId: string,
): { Action: string | string[]; Resource: unknown; Effect: string }[] {
  const role = t.Resources[roleId]!;
  const managed = ((role.Properties?.ManagedPolicyArns ?? []) as unknown[]).map(refId).filter((x): x is string => !!x);
  const inline = ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties!.Roles as unknown[]).some((r) => refId(r) === roleId))
    .map(([, p]) => p.Properties!.PolicyDocument);
  const docs = [...inline, ...managed.map((m) => t.Resources[m]!.Properties!.PolicyDocument)];
  return docs.flatMap((d) => d.Statement);
}

export const actionsOf = (s: { Action: string | string[] }): string[] =>
  Array.isArray(s.Action) ? s.Action : [s.Action];

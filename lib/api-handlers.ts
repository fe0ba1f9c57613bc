/**
 * ApiHandlers: one Lambda per (handler group, access level) for every group of functions/routes.ts whose code
 * exists, each wired to its routes on the API.
 *
 * Why split by access level: routes.ts groups routes by code (functions/<group>/handler.ts), but a group such as
 * `klines` has a public read route and a keyed write route. Deploying the same bundle twice, once with a
 * read-only role for the read routes and once with read/write for the write routes, means a public GET can never
 * write to the table, whatever bug or injection reaches it. Cost: a few more functions (no charge while idle).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ROUTES, type HandlerGroup, type RouteDef } from '../functions/routes.js';
import { isWriteRoute, type ChanApi } from './api.js';
import type { Data } from './data.js';
import { ServiceFunction, type FunctionDefaults } from './service-function.js';

export type Access = 'read' | 'write';

interface HandlerSpec {
  readonly memorySize: number;
  readonly timeout: Duration;
  /** false: the group never touches the table (no grant at all). */
  readonly usesTable: boolean;
}

/**
 * Sizing per group. API Gateway gives up after 29 s, so no API function runs longer than 20 s. Memory buys CPU:
 * the engine (analysis) and bulk uploads (klines) get 1 GB; the rest are I/O-bound.
 */
export const HANDLER_SPECS: Record<HandlerGroup, HandlerSpec> = {
  health: { memorySize: 512, timeout: Duration.seconds(5), usesTable: true },
  openapi: { memorySize: 256, timeout: Duration.seconds(5), usesTable: false },
  symbols: { memorySize: 512, timeout: Duration.seconds(10), usesTable: true },
  klines: { memorySize: 1024, timeout: Duration.seconds(20), usesTable: true },
  analysis: { memorySize: 1024, timeout: Duration.seconds(20), usesTable: true },
  jobs: { memorySize: 512, timeout: Duration.seconds(10), usesTable: true },
};

export interface ApiHandlersProps {
  readonly api: ChanApi;
  readonly data: Data;
  readonly functionDefaults: FunctionDefaults;
  /** Entry file per group; groups without one are not deployed (their routes stay unwired). */
  readonly entries: Partial<Record<HandlerGroup, string>>;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class ApiHandlers extends Construct {
  private readonly byKey = new Map<string, ServiceFunction>();

  constructor(scope: Construct, id: string, props: ApiHandlersProps) {
    super(scope, id);
    const groups = [...new Set(ROUTES.map((r) => r.handler))];
    for (const group of groups) {
      const entry = props.entries[group];
      if (!entry) continue;
      const spec = HANDLER_SPECS[group];
      for (const access of ['read', 'write'] as const) {
        const routes = ROUTES.filter((r) => r.handler === group && isWriteRoute(r) === (access === 'write'));
        if (routes.length === 0) continue;
        const fn = new ServiceFunction(this, access === 'read' ? pascal(group) : `${pascal(group)}Write`, {
          defaults: props.functionDefaults,
          entry,
          description: `Chan analysis API (${access}): ${routes.map(describe).join(', ')}`,
          memorySize: spec.memorySize,
          timeout: spec.timeout,
        });
        if (spec.usesTable) {
          if (access === 'write') props.data.table.grantReadWriteData(fn);
          else props.data.table.grantReadData(fn);
        }
        for (const route of routes) props.api.addRoute(route, fn.function);
        this.byKey.set(`${group}:${access}`, fn);
      }
    }
  }

  /** The function serving `group`'s read or write routes, if deployed (e.g. for jobs to add its grants). */
  functionFor(group: HandlerGroup, access: Access): ServiceFunction | undefined {
    return this.byKey.get(`${group}:${access}`);
  }

  get all(): ServiceFunction[] {
    return [...this.byKey.values()];
  }

  /** By name ("klines", "klines-write", ...), e.g. for Monitoring's `functions` prop. */
  get functions(): Record<string, lambda.IFunction> {
    return Object.fromEntries(
      [...this.byKey.entries()].map(([key, fn]) => [
        key.endsWith(':write') ? key.replace(':write', '-write') : key.replace(':read', ''),
        fn.function,
      ]),
    );
  }
}

const describe = (r: RouteDef) => `${r.method} ${r.path}`;

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
import { API_PREFIX, ROUTES, type HandlerGroup, type RouteDef } from '../functions/routes.js';
import { isWriteRoute, type ChanApi } from './api.js';
import type { Data } from './data.js';
import { ServiceFunction, type FunctionDefaults } from './service-function.js';

export type Access = 'read' | 'write';

interface HandlerSpec {
  readonly memorySize: number;
  readonly timeout: Duration;
  /** false: the group never touches the table (no grant at all). */
  readonly usesTable: boolean;
  /** The group's code (one bundle for both access levels) calls the cache: its functions run in the VPC. */
  readonly usesCache: boolean;
}

/**
 * Sizing per group. API Gateway gives up after 29 s, so no API function runs longer than 20 s. Memory buys CPU:
 * the engine (analysis) and bulk uploads (klines) get 1 GB; the rest are I/O-bound.
 */
export const HANDLER_SPECS: Record<HandlerGroup, HandlerSpec> = {
  health: { memorySize: 512, timeout: Duration.seconds(5), usesTable: true, usesCache: true },
  openapi: { memorySize: 256, timeout: Duration.seconds(5), usesTable: false, usesCache: false },
  symbols: { memorySize: 512, timeout: Duration.seconds(10), usesTable: true, usesCache: true },
  klines: { memorySize: 1024, timeout: Duration.seconds(20), usesTable: true, usesCache: true },
  analysis: { memorySize: 1024, timeout: Duration.seconds(20), usesTable: true, usesCache: true },
  // POST /jobs checks a multilevel job's series through the cached series service.
  jobs: { memorySize: 512, timeout: Duration.seconds(10), usesTable: true, usesCache: true },
};

/**
 * Routes served by a function of their own, with a concurrency ceiling. POST /analysis runs the engine on bars the
 * caller sends: public (no key), CPU-heavy, up to 20 s each. In the shared analysis function it could take every
 * concurrent execution the account has and starve ingestion and jobs. Its own function gets reserved concurrency
 * (the ceiling, and a floor no other function can take away) and the route's method throttle (routes.ts) in
 * front of it, so excess requests get 429 from the gateway.
 */
export const ISOLATED_ROUTES: Readonly<Record<string, { readonly id: string; readonly name: string }>> = {
  [`POST ${API_PREFIX}/analysis`]: { id: 'AnalysisCompute', name: 'analysis-compute' },
};

const routeKey = (r: RouteDef) => `${r.method} ${r.path}`;

export interface ApiHandlersProps {
  readonly api: ChanApi;
  readonly data: Data;
  readonly functionDefaults: FunctionDefaults;
  /** Entry file per group; groups without one are not deployed (their routes stay unwired). */
  readonly entries: Partial<Record<HandlerGroup, string>>;
  /** Reserved concurrency of each ISOLATED_ROUTES function; 0: none (the method throttle alone bounds it). */
  readonly isolatedConcurrency: number;
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export class ApiHandlers extends Construct {
  private readonly byKey = new Map<string, ServiceFunction>();
  private readonly isolated = new Map<string, ServiceFunction>();

  constructor(scope: Construct, id: string, props: ApiHandlersProps) {
    super(scope, id);
    const groups = [...new Set(ROUTES.map((r) => r.handler))];
    for (const group of groups) {
      const entry = props.entries[group];
      if (!entry) continue;
      const spec = HANDLER_SPECS[group];
      const make = (id: string, routes: RouteDef[], access: Access, reserved?: number) => {
        const fn = new ServiceFunction(this, id, {
          defaults: props.functionDefaults,
          entry,
          description: `Chan analysis API (${access}): ${routes.map(routeKey).join(', ')}`,
          memorySize: spec.memorySize,
          timeout: spec.timeout,
          usesCache: spec.usesCache,
          reservedConcurrentExecutions: reserved,
        });
        if (spec.usesTable) {
          if (access === 'write') props.data.table.grantReadWriteData(fn);
          else props.data.table.grantReadData(fn);
        }
        for (const route of routes) props.api.addRoute(route, fn.function);
        return fn;
      };
      for (const access of ['read', 'write'] as const) {
        const routes = ROUTES.filter(
          (r) => r.handler === group && isWriteRoute(r) === (access === 'write') && !ISOLATED_ROUTES[routeKey(r)],
        );
        if (routes.length === 0) continue;
        this.byKey.set(
          `${group}:${access}`,
          make(access === 'read' ? pascal(group) : `${pascal(group)}Write`, routes, access),
        );
      }
      for (const route of ROUTES.filter((r) => r.handler === group && ISOLATED_ROUTES[routeKey(r)])) {
        const { id: fnId, name } = ISOLATED_ROUTES[routeKey(route)]!;
        const reserved = props.isolatedConcurrency > 0 ? props.isolatedConcurrency : undefined;
        this.isolated.set(name, make(fnId, [route], isWriteRoute(route) ? 'write' : 'read', reserved));
      }
    }
  }

  /** The function serving `group`'s read or write routes, if deployed (e.g. for jobs to add its grants). */
  functionFor(group: HandlerGroup, access: Access): ServiceFunction | undefined {
    return this.byKey.get(`${group}:${access}`);
  }

  get all(): ServiceFunction[] {
    return [...this.byKey.values(), ...this.isolated.values()];
  }

  /** By name ("klines", "klines-write", ...), e.g. for Monitoring's `functions` prop. */
  get functions(): Record<string, lambda.IFunction> {
    return Object.fromEntries([
      ...[...this.byKey.entries()].map(([key, fn]) => [
        key.endsWith(':write') ? key.replace(':write', '-write') : key.replace(':read', ''),
        fn.function,
      ]),
      ...[...this.isolated.entries()].map(([name, fn]) => [name, fn.function]),
    ]);
  }
}

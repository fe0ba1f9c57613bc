/**
 * The fuzz requests as API Gateway (REST, v1 proxy) events straight into the Lambda handlers: the deployed path,
 * without the local adapter in between. What the gateway itself refuses (unknown routes, a missing API key, bodies
 * above 10 MB) never reaches a function, so those requests are not sent here. The event goes through JSON, as a
 * Lambda receives it ("__proto__" in a query arrives as an own key).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type HandlerGroup } from '../../functions/routes.js';
import { proxyEvent } from '../../local/proxy-event.js';
import { loadHandlers, type LambdaHandler } from '../../local/server.js';
import { FUZZ_RUNS, FUZZ_SEED, makeRunner, startFuzzService, withSeed, type FuzzService } from './harness.js';
import { gatewayQuery, requestArb, targetOf, wellFormed, type FuzzRequest } from './requests.js';

const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

describe(`fuzz the Lambda handlers with gateway events (seed ${FUZZ_SEED})`, () => {
  let f: FuzzService;
  let handlers: Partial<Record<HandlerGroup, LambdaHandler>>;
  beforeAll(async () => {
    f = await startFuzzService();
    handlers = await loadHandlers();
  });
  afterAll(async () => f?.stop());

  it(`${FUZZ_RUNS} events: no 5xx, JSON errors with error and message, refused writes write nothing`, async () => {
    let n = 0;
    const invoke = async (r: FuzzRequest) => {
      const route = ROUTES.find((x) => x.method === r.method && x.path === r.resource)!;
      const event = JSON.parse(
        JSON.stringify(
          proxyEvent({
            method: r.method,
            resource: r.resource,
            path: targetOf(r).split('?')[0]!,
            pathParameters: r.pathParams.map(([k, v]) => [k, wellFormed(v)]),
            headers: r.headers,
            query: gatewayQuery(r),
            body: r.body ?? null,
            requestId: `fuzz-${++n}`,
            stage: 'fuzz',
          }),
        ),
      ) as APIGatewayProxyEvent;
      const ctx = { awsRequestId: `fuzz-${n}`, getRemainingTimeInMillis: () => 29_000 } as Context;
      const res = (await handlers[route.handler]!(event, ctx)) as APIGatewayProxyResult;
      return { status: res.statusCode, text: res.body };
    };
    const run = makeRunner(f, invoke);
    const gatewayForwards = (r: FuzzRequest) => {
      const route = ROUTES.find((x) => x.method === r.method && x.path === r.resource)!;
      const key = r.headers.find(([k]) => k.toLowerCase() === 'x-api-key')?.[1];
      return (!route.apiKey || key === f.ctx.apiKey) && Buffer.byteLength(r.body ?? '') <= GATEWAY_MAX_BODY;
    };
    await fc
      .assert(fc.asyncProperty(requestArb(f.doc, f.ctx).filter(gatewayForwards), run), {
        seed: FUZZ_SEED,
        numRuns: FUZZ_RUNS,
      })
      .catch(withSeed);
    console.log(`fuzz seed ${FUZZ_SEED}, ${FUZZ_RUNS} requests:\n${run.summary()}`);
    expect(await f.readReference()).toBe(f.reference);
  });
});

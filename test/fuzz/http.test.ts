/**
 * Property-based requests from the OpenAPI document, through real HTTP into the local runtime (the API Gateway
 * adapter, the middy stack, the handlers, dynalite). Seeded: FUZZ_SEED replays a run, FUZZ_RUNS sets its size.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRawAgent, rawRequest } from '../support/raw-http.js';
import { FUZZ_RUNS, FUZZ_SEED, makeRunner, startFuzzService, withSeed, type FuzzService } from './harness.js';
import { operationsOf, requestArb, targetOf } from './requests.js';

describe(`fuzz through HTTP (seed ${FUZZ_SEED})`, () => {
  let f: FuzzService;
  beforeAll(async () => {
    f = await startFuzzService();
  });
  afterAll(async () => {
    closeRawAgent();
    await f?.stop();
  });

  it('the OpenAPI document lists every operation', () => {
    expect(operationsOf(f.doc).length).toBeGreaterThanOrEqual(11);
  });

  it(`${FUZZ_RUNS} requests: no 5xx, JSON errors with error and message, refused writes write nothing`, async () => {
    const run = makeRunner(f, (r) =>
      rawRequest(f.svc.url, { method: r.method, target: targetOf(r), headers: r.headers, body: r.body }),
    );
    await fc
      .assert(fc.asyncProperty(requestArb(f.doc, f.ctx), run), { seed: FUZZ_SEED, numRuns: FUZZ_RUNS })
      .catch(withSeed);
    console.log(`fuzz seed ${FUZZ_SEED}, ${FUZZ_RUNS} requests:\n${run.summary()}`);
    // Alive afterwards, and the read-only reference series is exactly as seeded.
    expect((await f.svc.fetch('/health')).status).toBe(200);
    expect(await f.readReference()).toBe(f.reference);
  });
});

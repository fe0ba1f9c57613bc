/**
 * `npm run bench`: prints every figure the issues ask for. Each section is its own module; run one with
 * `npm run bench -- engine` (sections: engine, cold, handler, api, wire, bundles, ingest, upload, jobs, cost, load).
 */
// Keep the SDK's Node-version notice out of the figures.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const sections: Record<string, () => Promise<string[]>> = {
  engine: async () => (await import('./engine.js')).benchEngine(),
  api: async () => (await import('./api.js')).benchApi(),
  wire: async () => (await import('./wire.js')).benchWire(),
  bundles: async () => (await import('./bundles.js')).benchBundles(),
  ingest: async () => (await import('./ingest.js')).benchIngest(),
  upload: async () => (await import('./upload.js')).benchUpload(),
  jobs: async () => (await import('./jobs.js')).benchJobs(),
  cold: async () => (await import('./cold.js')).benchCold(),
  handler: async () => (await import('./handler-cold.js')).benchHandlerCold(),
  cost: async () => (await import('./cost.js')).benchCost(),
  load: async () => (await import('./load.js')).benchLoad(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  const run = sections[name];
  if (!run) throw new Error(`unknown bench section "${name}" (known: ${Object.keys(sections).join(', ')})`);
  console.log(`\n## ${name}`);
  for (const line of await run()) console.log(line);
}

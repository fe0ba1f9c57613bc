/**
 * `npm run bench`: prints every figure the issues ask for. Each section is its own module; run one with
 * `npm run bench -- engine` (sections: engine, api, ingest, jobs).
 */
const sections: Record<string, () => Promise<string[]>> = {
  engine: async () => (await import('./engine.js')).benchEngine(),
  api: async () => (await import('./api.js')).benchApi(),
  bundles: async () => (await import('./bundles.js')).benchBundles(),
  ingest: async () => (await import('./ingest.js')).benchIngest(),
  jobs: async () => (await import('./jobs.js')).benchJobs(),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const name of wanted.length ? wanted : Object.keys(sections)) {
  const run = sections[name];
  if (!run) throw new Error(`unknown bench section "${name}" (known: ${Object.keys(sections).join(', ')})`);
  console.log(`\n## ${name}`);
  for (const line of await run()) console.log(line);
}

/**
 * Bundle-only stand-in for the `debug` package (lib/bundling.ts aliases it here): ioredis is its only user in the
 * Lambda bundles and logs through it only when DEBUG=ioredis:* is set, which a Lambda never does. Saves `debug`
 * and `supports-color` (~8 KB minified). Same shape: debug(namespace) → a logger function whose `enabled` is false.
 */
type DebugFn = ((...args: unknown[]) => void) & {
  enabled: boolean;
  namespace: string;
  extend: (ns: string) => DebugFn;
};

function createDebug(namespace: string): DebugFn {
  const fn = (() => {}) as DebugFn;
  fn.enabled = false;
  fn.namespace = namespace;
  fn.extend = (ns: string) => createDebug(`${namespace}:${ns}`);
  return fn;
}
createDebug.enable = (_namespaces: string) => {};
createDebug.disable = () => '';
createDebug.enabled = (_namespace: string) => false;

export default createDebug;

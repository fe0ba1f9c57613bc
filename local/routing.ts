/**
 * Route matching for the local API Gateway stand-in: the ROUTES table the CDK stack reads, compiled once into
 * resource patterns with {param} extraction, and the request target read as API Gateway reads it.
 */
import { ROUTES, type RouteDef } from '../functions/routes.js';

export interface CompiledRoute extends RouteDef {
  regex: RegExp;
  params: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((r) => {
  const params: string[] = [];
  const re = r.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => {
    params.push(name);
    return '([^/]+)';
  });
  return { ...r, regex: new RegExp(`^${re}$`), params };
});

/** decodeURIComponent, or undefined for malformed percent-encoding (a 400, not an adapter fault). */
export function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export interface Target {
  url: URL;
  /** The path without trailing slashes (except "/" itself), still percent-encoded. */
  pathname: string;
}

export function requestTarget(target: string): Target {
  // An origin-form target is a path even when it starts with "//" (new URL would read a host there).
  const url = new URL(target.startsWith('/') ? `http://localhost${target}` : target, 'http://localhost');
  const pathname = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
  return { url, pathname };
}

/** Every route whose resource matches the path, whatever its method (405 and the preflight need them all). */
export const routesFor = (pathname: string): CompiledRoute[] => compiled.filter((r) => r.regex.test(pathname));

/** The decoded {param} values of a matched route, in the order of its placeholders. */
export function pathParameters(route: CompiledRoute, pathname: string): [string, string][] {
  const m = route.regex.exec(pathname)!;
  return route.params.map((p, i) => [p, safeDecode(m[i + 1]!)!]);
}

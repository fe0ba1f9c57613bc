/**
 * Which AWS API actions a function's code can send, read from the code itself: esbuild bundles the entry with the
 * stack's own options (lib/bundling.ts) and reports the project files that end up in the bundle; in each of them
 * every `new XxxCommand(` is traced to the SDK package it was imported from, and every call of a Powertools
 * Parameters getter to the action that getter sends. The result is in IAM action names (dynamodb:GetItem, ...),
 * the vocabulary of the manifest (lib/aws-calls.ts) and of the policies.
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { esbuildOptions } from '../../../lib/bundling.js';
import { PROJECT_ROOT } from '../../../lib/chan-stack.js';

/** IAM service prefix of each SDK v3 package the code may import commands from. */
const SERVICE_OF_PACKAGE: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sfn': 'states',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-elasticache': 'elasticache',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-lambda': 'lambda',
  '@aws-sdk/client-s3': 's3',
};

/** Commands whose IAM action has another name than the command (document-client shorthands, batch variants). */
const ACTION_OF_COMMAND: Record<string, string> = {
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:TransactWrite': 'dynamodb:TransactWriteItems',
  'dynamodb:TransactGet': 'dynamodb:TransactGetItems',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
};

/** Powertools Parameters modules: any function imported from one reads through this action. */
const ACTION_OF_PARAMETERS_MODULE: Record<string, string> = {
  '@aws-lambda-powertools/parameters/secrets': 'secretsmanager:GetSecretValue',
  '@aws-lambda-powertools/parameters/ssm': 'ssm:GetParameter',
};

export interface CodeCall {
  action: string;
  /** Project-relative file and the source text that sends it. */
  file: string;
  site: string;
}

/** Binding name → module, for named, aliased and namespace imports (and `await import('literal')` namespaces). */
function importsOf(src: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of src.matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g)) {
    for (const part of m[1]!.split(',')) {
      const [orig, alias] = part
        .replace(/\btype\s+/, '')
        .trim()
        .split(/\s+as\s+/);
      if (orig) out.set((alias ?? orig).trim(), m[2]!);
    }
  }
  for (const m of src.matchAll(/import\s+\*\s+as\s+(\w+)\s+from\s*['"]([^'"]+)['"]/g)) out.set(m[1]!, m[2]!);
  return out;
}

/** The AWS actions one source file sends. */
export function callsInSource(src: string, file: string): CodeCall[] {
  const imports = importsOf(src);
  // A module loaded by a computed specifier (`const s = '@aws-sdk/client-x'; await import(s)`): the one SDK package
  // literal in the file, if exactly one.
  const literals = [...new Set([...src.matchAll(/['"](@aws-sdk\/client-[a-z0-9-]+)['"]/g)].map((m) => m[1]!))];
  const calls: CodeCall[] = [];
  for (const m of src.matchAll(/new\s+(?:(\w+)\.)?(\w+)Command\s*\(/g)) {
    const [site, ns, cmd] = m;
    const pkg = ns
      ? (imports.get(ns) ?? (literals.length === 1 ? literals[0] : undefined))
      : imports.get(`${cmd}Command`);
    const service = pkg ? SERVICE_OF_PACKAGE[pkg] : undefined;
    if (!service)
      throw new Error(`${file}: cannot tell which AWS SDK client "${site}" comes from (${pkg ?? 'no import'})`);
    const raw = `${service}:${cmd}`;
    calls.push({ action: ACTION_OF_COMMAND[raw] ?? raw, file, site: site.trim() });
  }
  for (const [binding, mod] of imports) {
    const action = ACTION_OF_PARAMETERS_MODULE[mod];
    if (!action) continue;
    for (const m of src.matchAll(new RegExp(`\\b${binding}\\s*\\(`, 'g'))) calls.push({ action, file, site: m[0] });
  }
  return calls;
}

/**
 * Whether a source file calls the platform's global fetch (the way this code reaches public hosts), as opposed to
 * a parameter or property that happens to be called `fetch`.
 */
export function usesGlobalFetch(src: string): boolean {
  const code = src.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const declared = /function\s+fetch\b|(?:const|let|var)\s+fetch\b|[(,]\s*fetch\s*[:,)=?]/.test(code);
  const used = /(?<![.\w])fetch\s*\(|\?\?\s*fetch\b|=>\s*fetch\b/.test(code);
  return used && !declared;
}

/**
 * Project source files (not node_modules) that contribute code to each entry's bundle: one esbuild run over all
 * entries with the stack's bundling options, its metafile read per output.
 */
export async function bundledSources(entries: string[]): Promise<Map<string, string[]>> {
  const result = await build({
    ...esbuildOptions(entries[0]!, PROJECT_ROOT),
    entryPoints: entries,
    write: false,
    metafile: true,
    minify: false,
    sourcemap: false,
    logLevel: 'silent',
    outdir: '/tmp/chan-sdk-calls',
    outbase: PROJECT_ROOT,
  });
  const byEntry = new Map<string, string[]>();
  for (const out of Object.values(result.metafile.outputs)) {
    if (!out.entryPoint) continue;
    const used = Object.entries(out.inputs)
      .filter(([file, info]) => info.bytesInOutput > 0 && !file.includes('node_modules/'))
      .map(([file]) => resolve(PROJECT_ROOT, file));
    byEntry.set(resolve(PROJECT_ROOT, out.entryPoint), used.sort());
  }
  return byEntry;
}

export interface EntryCalls {
  /** AWS actions the bundle can send, with where. */
  aws: CodeCall[];
  /** Project files in the bundle that call public hosts through the global fetch. */
  internet: string[];
}

/** What each entry's bundle can call. */
export async function callsOfEntries(entries: string[]): Promise<Map<string, EntryCalls>> {
  const sources = await bundledSources(entries);
  const out = new Map<string, EntryCalls>();
  for (const entry of entries) {
    const files = sources.get(resolve(entry));
    if (!files) throw new Error(`esbuild produced no bundle for ${entry}`);
    const texts = files.map((f) => [relative(PROJECT_ROOT, f), readFileSync(f, 'utf8')] as const);
    out.set(entry, {
      aws: texts.flatMap(([f, src]) => callsInSource(src, f)),
      internet: texts.filter(([, src]) => usesGlobalFetch(src)).map(([f]) => f),
    });
  }
  return out;
}

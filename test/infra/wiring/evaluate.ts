/**
 * Evaluates edges with @cloud-copilot/iam-simulate (AGPL-3.0: a devDependency used by these tests only; nothing
 * under functions/ or lib/ may import it, see eslint.config.js): the role's identity policies and the target's
 * resource policy, as AWS combines them for a same-account request.
 */
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { Edge, EdgeKind } from './edges.js';
import type { Policies } from './policies.js';
import { ENV } from './resolve.js';

export interface Verdict {
  edge: Edge;
  allowed: boolean;
  reason: string;
}

export async function evaluateEdge(edge: Edge, policies: Policies): Promise<Verdict> {
  if (edge.missing) return { edge, allowed: false, reason: edge.missing };
  const identity = edge.role
    ? policies.identityPolicies(edge.role)
    : { policies: edge.identity ?? [], unknown: [] as string[] };
  const resourcePolicy = edge.target ? policies.resourcePolicy(edge.target) : undefined;
  const result = await runSimulation(
    {
      request: {
        principal: edge.principal,
        action: edge.action,
        resource: { resource: edge.resource, accountId: ENV.account },
        contextVariables: edge.context,
      },
      identityPolicies: identity.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
    },
    {},
  );
  if (result.resultType === 'error') {
    return { edge, allowed: false, reason: `simulator rejected the input: ${JSON.stringify(result.errors)}` };
  }
  const allowed = result.overallResult === 'Allowed';
  const unknown = identity.unknown.length ? `; unmodelled AWS managed policies: ${identity.unknown.join(', ')}` : '';
  return {
    edge,
    allowed,
    reason: allowed
      ? 'Allowed'
      : `${result.overallResult}: ${edge.principal} ${edge.action} on ${edge.resource}` +
        ` (identity policies: ${identity.policies.length}, resource policy: ${resourcePolicy ? 'yes' : 'none'}${unknown})`,
  };
}

export async function evaluateAll(edges: Edge[], policies: Policies): Promise<Verdict[]> {
  const out: Verdict[] = [];
  for (const e of edges) out.push(await evaluateEdge(e, policies));
  return out;
}

export function countByKind(verdicts: Verdict[]): Partial<Record<EdgeKind, number>> {
  const n: Partial<Record<EdgeKind, number>> = {};
  for (const v of verdicts) n[v.edge.kind] = (n[v.edge.kind] ?? 0) + 1;
  return n;
}

/**
 * Network paths from a resolved template: can a function reach the internet, an AWS service's endpoint, or the
 * cache? Outside a VPC a function reaches every public endpoint (and no VPC resource). Inside, each of its subnets
 * needs a route (0.0.0.0/0 to a NAT gateway that sits in a subnet routed to an attached internet gateway, or a
 * gateway / interface endpoint of the service), and its security groups need egress on the port, to the
 * destination's security group when the destination has one, whose ingress must admit the function's group.
 */
import type { Policies } from './policies.js';
import type { Resolver } from './resolve.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- resolved CloudFormation JSON
type Json = any;
const list = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type Destination = { kind: 'internet' } | { kind: 'aws'; service: string } | { kind: 'cache'; cacheId: string };

interface Rule {
  protocol: string;
  from: number;
  to: number;
  cidr?: string;
  group?: string;
  prefixList?: string;
}

export class NetworkModel {
  private readonly r: Record<string, { Type: string; Properties: Json }>;

  constructor(
    private readonly resolver: Resolver,
    policies: Policies,
  ) {
    this.r = policies.resources;
  }

  private of(type: string): [string, Json][] {
    return Object.entries(this.r)
      .filter(([, x]) => x.Type === type)
      .map(([id, x]) => [id, x.Properties]);
  }

  private idByRef(type: string, ref: string): string | undefined {
    return this.of(type).find(([id]) => this.resolver.ref(id) === ref)?.[0];
  }

  private routeTableOf(subnet: string): string | undefined {
    return this.of('AWS::EC2::SubnetRouteTableAssociation').find(([, a]) => a.SubnetId === subnet)?.[1].RouteTableId;
  }

  private routes(routeTable: string): Json[] {
    return this.of('AWS::EC2::Route')
      .map(([, x]) => x)
      .filter((x) => x.RouteTableId === routeTable);
  }

  /** A subnet's default route leads to the internet: through a NAT gateway in a subnet routed to an attached IGW. */
  private internetFrom(subnet: string): string | undefined {
    const rt = this.routeTableOf(subnet);
    if (!rt) return `subnet ${subnet} has no route table association`;
    const def = this.routes(rt).find((x) => x.DestinationCidrBlock === '0.0.0.0/0');
    if (!def) return `subnet ${subnet}: no default route`;
    if (def.GatewayId)
      return `subnet ${subnet}: default route to an internet gateway, but Lambda ENIs get no public IP`;
    if (!def.NatGatewayId) return `subnet ${subnet}: default route to neither a NAT gateway nor an internet gateway`;
    const natId = this.idByRef('AWS::EC2::NatGateway', def.NatGatewayId);
    const nat = natId ? this.r[natId]!.Properties : undefined;
    if (!nat) return `subnet ${subnet}: NAT gateway ${def.NatGatewayId} not in the template`;
    const natRt = this.routeTableOf(nat.SubnetId);
    const igwRoute = natRt
      ? this.routes(natRt).find((x) => x.DestinationCidrBlock === '0.0.0.0/0' && x.GatewayId)
      : undefined;
    if (!igwRoute) return `NAT gateway ${natId}: its subnet has no default route to an internet gateway`;
    const attached = this.of('AWS::EC2::VPCGatewayAttachment').some(
      ([, a]) => a.InternetGatewayId === igwRoute.GatewayId,
    );
    return attached ? undefined : `internet gateway ${igwRoute.GatewayId} is not attached to the VPC`;
  }

  private endpointsFor(service: string, kind: 'Gateway' | 'Interface'): Json[] {
    return this.of('AWS::EC2::VPCEndpoint')
      .map(([, e]) => e)
      .filter((e) => (e.VpcEndpointType ?? 'Gateway') === kind && String(e.ServiceName).endsWith(`.${service}`));
  }

  /** Egress rules of a security group: inline ones and AWS::EC2::SecurityGroupEgress resources (none: all traffic). */
  private egress(group: string): Rule[] {
    const id = this.idByRef('AWS::EC2::SecurityGroup', group);
    const inline = id ? this.r[id]!.Properties.SecurityGroupEgress : undefined;
    const extra = this.of('AWS::EC2::SecurityGroupEgress').filter(([, e]) => e.GroupId === group);
    if (inline === undefined && extra.length === 0) return [{ protocol: '-1', from: 0, to: 65535, cidr: '0.0.0.0/0' }];
    return [...list<Json>(inline), ...extra.map(([, e]) => e)].map((e) => ({
      protocol: String(e.IpProtocol),
      from: Number(e.FromPort ?? 0),
      to: Number(e.ToPort ?? 65535),
      cidr: e.CidrIp,
      group: e.DestinationSecurityGroupId,
      prefixList: e.DestinationPrefixListId,
    }));
  }

  private ingress(group: string): Rule[] {
    const id = this.idByRef('AWS::EC2::SecurityGroup', group);
    const inline = id ? list<Json>(this.r[id]!.Properties.SecurityGroupIngress) : [];
    const extra = this.of('AWS::EC2::SecurityGroupIngress')
      .filter(([, e]) => e.GroupId === group)
      .map(([, e]) => e);
    return [...inline, ...extra].map((e) => ({
      protocol: String(e.IpProtocol),
      from: Number(e.FromPort ?? 0),
      to: Number(e.ToPort ?? 65535),
      cidr: e.CidrIp,
      group: e.SourceSecurityGroupId,
    }));
  }

  private static covers(rule: Rule, port: number): boolean {
    return (
      (rule.protocol === '-1' || rule.protocol === 'tcp' || rule.protocol === '6') &&
      (rule.protocol === '-1' || (rule.from <= port && port <= rule.to))
    );
  }

  /** Why `fnId` cannot reach the destination, or undefined when it can. */
  unreachable(fnId: string, dest: Destination): string | undefined {
    const vpc = this.r[fnId]!.Properties.VpcConfig;
    const subnets = list<string>(vpc?.SubnetIds);
    if (!subnets.length) {
      return dest.kind === 'cache'
        ? 'outside the VPC, so it cannot reach the cache, which lives in the VPC'
        : undefined;
    }
    const groups = list<string>(vpc.SecurityGroupIds);
    const egress = groups.flatMap((g) => this.egress(g));
    const port = dest.kind === 'cache' ? Number(this.resolver.getAtt(dest.cacheId, 'Endpoint.Port')) : 443;
    const toAnywhere = egress.some((x) => NetworkModel.covers(x, port) && x.cidr === '0.0.0.0/0');

    if (dest.kind === 'cache') {
      const cache = this.r[dest.cacheId]!.Properties;
      const cacheGroups = list<string>(cache.SecurityGroupIds);
      const out = egress.some(
        (x) => NetworkModel.covers(x, port) && (x.cidr === '0.0.0.0/0' || (x.group && cacheGroups.includes(x.group))),
      );
      if (!out) return `no security-group egress on ${port} to the cache's security group`;
      const admitted = cacheGroups.some((cg) =>
        this.ingress(cg).some(
          (x) => NetworkModel.covers(x, port) && (x.cidr === '0.0.0.0/0' || (x.group && groups.includes(x.group))),
        ),
      );
      if (!admitted) return `the cache's security groups admit no traffic on ${port} from the function's groups`;
      const vpcOf = (s: string) => this.r[this.idByRef('AWS::EC2::Subnet', s) ?? '']?.Properties.VpcId;
      const sameVpc = list<string>(cache.SubnetIds).every((s) => vpcOf(s) === vpcOf(subnets[0]!));
      return sameVpc ? undefined : 'the cache is in another VPC';
    }

    const problems: string[] = [];
    for (const subnet of subnets) {
      if (dest.kind === 'aws') {
        const rt = this.routeTableOf(subnet);
        const gateway = this.endpointsFor(dest.service, 'Gateway').some((e) => list(e.RouteTableIds).includes(rt));
        if (gateway) {
          const pl = egress.some((x) => NetworkModel.covers(x, 443) && (x.cidr === '0.0.0.0/0' || x.prefixList));
          if (!pl) problems.push(`${dest.service}: gateway endpoint, but no egress on 443 to it`);
          continue;
        }
        const iface = this.endpointsFor(dest.service, 'Interface').find(
          (e) => e.PrivateDnsEnabled !== false && list(e.SubnetIds).length,
        );
        if (iface) {
          const epGroups = list<string>(iface.SecurityGroupIds);
          const out = egress.some(
            (x) => NetworkModel.covers(x, 443) && (x.cidr === '0.0.0.0/0' || (x.group && epGroups.includes(x.group))),
          );
          if (!out) problems.push(`${dest.service}: interface endpoint, but no egress on 443 to its security group`);
          continue;
        }
      }
      const why = this.internetFrom(subnet);
      if (why) problems.push(dest.kind === 'aws' ? `${dest.service}: no endpoint and ${why}` : why);
      else if (!toAnywhere) problems.push(`security groups allow no egress on 443 to 0.0.0.0/0`);
    }
    return problems.length ? [...new Set(problems)].join('; ') : undefined;
  }
}

/**
 * SigV4 for the smoke command's write requests. In the deployed stack the write routes use IAM authorization
 * (execute-api), so a write must be signed by a principal allowed execute-api:Invoke; the local runtime ignores
 * the signature and checks the API key, which is sent either way. Credentials come from the SDK's default chain
 * (environment, SSO/profile, container or instance role); without any, writes go unsigned and the report says so.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SDK's credential provider shape (the default chain, or a fixed identity in tests). */
export type CredentialProvider = ReturnType<typeof defaultProvider>;

export interface WriteSigner {
  /** Where the credentials came from, for the report ("unsigned: …" when there are none). */
  readonly description: string;
  /** Headers to send: the given ones plus the SigV4 ones when signing. */
  sign(url: URL, method: string, headers: Record<string, string>, body: string): Promise<Record<string, string>>;
}

/** The region an execute-api URL names (`{id}.execute-api.{region}.amazonaws.com`), if it is one. */
export function executeApiRegion(url: URL): string | undefined {
  return /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(url.hostname)?.[1];
}

export async function createWriteSigner(
  region: string,
  credentials: CredentialProvider = defaultProvider(),
): Promise<WriteSigner> {
  let identity: Awaited<ReturnType<CredentialProvider>>;
  try {
    identity = await credentials();
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    return { description: `unsigned (no AWS credentials: ${why})`, sign: async (_u, _m, headers) => headers };
  }
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: identity, sha256: Sha256 });
  return {
    description: `SigV4-signed (${region}, access key …${identity.accessKeyId.slice(-4)})`,
    async sign(url, method, headers, body) {
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...headers, host: url.host },
        body,
      });
      // fetch sets Host itself (the same value that was signed).
      const { host: _host, ...out } = signed.headers;
      return out;
    },
  };
}

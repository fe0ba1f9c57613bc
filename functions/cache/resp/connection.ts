/**
 * One connection to one Redis server. Commands are pipelined: each is written as soon as it is sent, and replies,
 * which Redis returns in the order it received the commands, settle the oldest pending command first.
 *
 * It never reconnects by itself. Anything that breaks the connection (a socket error, the server closing it, a
 * reply that is not RESP, a command not answered within its timeout) fails every pending command at once and
 * leaves the connection dead; the owner (RedisClient) drops it and opens a new one on a later call. A timeout
 * kills the whole connection because replies cannot be skipped: the late reply would settle the next command.
 */
import { connect as tcpConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { encodeCommand, RedisError, RespDecoder, type Reply } from './codec.js';

/** TLS settings a caller may add (tests trust their self-signed certificate through `ca`). */
export type TlsOptions = Pick<TlsConnectionOptions, 'ca'>;

export interface ConnectionOptions {
  host: string;
  port: number;
  /** Connect over TLS (rediss://) when set; `{}` for the system's trusted CAs. */
  tls?: TlsOptions;
  username?: string;
  password?: string;
  /** Covers TCP connect and the TLS handshake. */
  connectTimeoutMs: number;
  /** From writing a command to its reply. */
  commandTimeoutMs: number;
  /** The connection broke after it was up (not called for close()). */
  onBroken?: (e: ConnectionError) => void;
}

/**
 * The connection failed, so the command may or may not have run. `retriable` is false for a failed connect or a
 * timeout (the server is down or stuck: fail fast) and true when an established connection broke, which a
 * connection left idle through a Lambda freeze often has: a fresh connection is then worth one more try.
 */
export class ConnectionError extends Error {
  override name = 'ConnectionError';
  constructor(
    message: string,
    readonly retriable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export class Connection {
  readonly address: string;
  private readonly pending: Pending[] = [];
  private readonly decoder = new RespDecoder();
  private failure: ConnectionError | undefined;
  private closing = false;
  private corked = false;

  private constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.address = `${opts.host}:${opts.port}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('error', (e) => this.fail(e.message, true, e));
    // A close with nothing pending (the server dropped an idle connection) is not worth reporting.
    socket.on('close', () => this.fail('connection closed', this.pending.length > 0));
  }

  /** Connects (TLS with SNI when asked) and authenticates; rejects with a non-retriable ConnectionError. */
  static async open(opts: ConnectionOptions): Promise<Connection> {
    const where = `redis ${opts.host}:${opts.port}`;
    const c = await new Promise<Connection>((resolve, reject) => {
      const s = opts.tls
        ? tlsConnect({
            ...opts.tls,
            host: opts.host,
            port: opts.port,
            // SNI only for a host name: ElastiCache certificates are for its DNS names, and Node refuses an IP here.
            ...(isIP(opts.host) ? {} : { servername: opts.host }),
          })
        : tcpConnect({ host: opts.host, port: opts.port });
      const failed = (e: Error) => {
        clearTimeout(timer);
        s.destroy();
        reject(new ConnectionError(`${where}: ${e.message}`, false, { cause: e }));
      };
      const timer = setTimeout(
        () => failed(new Error(`connect timed out after ${opts.connectTimeoutMs} ms`)),
        opts.connectTimeoutMs,
      );
      s.once('error', failed);
      const closed = () => failed(new Error('connection closed while connecting'));
      s.once('close', closed);
      s.once(opts.tls ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        s.removeListener('error', failed);
        s.removeListener('close', closed);
        // Constructed here, in the same tick, so the socket is never without an 'error' listener.
        resolve(new Connection(s, opts));
      });
    });
    if (opts.password !== undefined) {
      try {
        await c.send(opts.username ? ['AUTH', opts.username, opts.password] : ['AUTH', opts.password]);
      } catch (e) {
        c.socket.destroy();
        const message = e instanceof Error ? e.message : String(e);
        throw new ConnectionError(message.startsWith(where) ? message : `${where}: ${message}`, false, { cause: e });
      }
    }
    return c;
  }

  /** Sends one command; resolves with its reply, rejects with a RedisError reply or a ConnectionError. */
  send(args: readonly string[]): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new ConnectionError(`redis ${this.address}: closed`, false));
    return new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(
        () => this.fail(`${args[0]} timed out after ${this.opts.commandTimeoutMs} ms`, true, undefined, false),
        this.opts.commandTimeoutMs,
      );
      this.pending.push({ resolve, reject, timer });
      // Commands sent in the same tick leave in one write (one TCP segment when small).
      if (!this.corked) {
        this.corked = true;
        this.socket.cork();
        process.nextTick(() => {
          this.corked = false;
          this.socket.uncork();
        });
      }
      this.socket.write(encodeCommand(args));
    });
  }

  /** Lets pending commands finish, then closes (destroyed if the server does not close within a command timeout). */
  async close(): Promise<void> {
    if (this.failure || this.closing) return;
    this.closing = true;
    const closed = new Promise((r) => this.socket.once('close', r));
    const timer = setTimeout(() => this.socket.destroy(), this.opts.commandTimeoutMs);
    this.socket.end();
    await closed;
    clearTimeout(timer);
  }

  private receive(chunk: Buffer) {
    let replies: Reply[];
    try {
      replies = this.decoder.push(chunk);
    } catch (e) {
      this.fail((e as Error).message, true, e, false);
      return;
    }
    for (const reply of replies) {
      const p = this.pending.shift();
      if (!p) {
        this.fail('reply without a command', true, undefined, false);
        return;
      }
      clearTimeout(p.timer);
      if (reply instanceof RedisError) p.reject(reply);
      else p.resolve(reply);
    }
  }

  private fail(reason: string, report: boolean, cause?: unknown, retriable = true) {
    if (this.failure) return;
    const e = new ConnectionError(`redis ${this.address}: ${reason}`, retriable, { cause });
    this.failure = e;
    this.socket.destroy();
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    if (report && !this.closing) this.opts.onBroken?.(e);
  }
}

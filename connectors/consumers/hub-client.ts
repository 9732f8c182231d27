// A consuming organisation's connection to the hub: mutual TLS with the certificate the hub's CA
// issued to its system, and the Exchange calls as promises that either answer or throw Refused.
// Every call carries the agreement, purpose and officer it is made under, plus the case it serves.
//
// Failover: a consumer may name several hub instances (`--hub a:50051,b:50051`). Calls go to one
// until it is unreachable (UNAVAILABLE: refused connection, reset, a hub stopping); then the same
// call is sent at once to the next address, and later calls stay there. A hub that answered, even
// with a refusal, is never asked again by another: only "could not reach it" moves on.
import { readFile } from 'node:fs/promises';
import { type CallOptions, type ClientReadableStream, credentials, Metadata, type ServiceError, status } from '@grpc/grpc-js';
import type { RecordPublisher } from '../../kafka/record-publisher.ts';
import {
  type Change,
  ExchangeClient,
  type LookupRequest,
  type LookupResponse,
  type RequestContext,
  type VerifyRequest,
  type VerifyResponse,
} from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { OperationsClient, type ReportHeartbeatRequest } from '../../proto/gen/dancu/operations/v1/operations.ts';
import type { Heartbeat } from '../../schemas/heartbeat.ts';
import { Refused } from './refused.ts';

export interface HubConnection {
  /** host:port of the hub's gRPC API, or several, comma-separated, to fail over between. */
  address: string;
  /** PEM files: the hub's CA certificate, this system's certificate and its private key. */
  caPath: string;
  certPath: string;
  keyPath: string;
}

/** What every call states besides its case: the agreement, the purpose and the officer (journaled). */
export interface CallScope {
  agreementId: string;
  purpose: string;
  officerId: string;
}

/** A hung hub must not hang a batch: unary calls give up after this and count as retryable. */
const DEFAULT_DEADLINE_MS = 30_000;

type Unary<Q, R> = (
  request: Q,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: R) => void,
) => unknown;

/** One hub instance's clients. */
export interface HubEndpoint {
  exchange: ExchangeClient;
  /** For heartbeats (Operations.ReportHeartbeat); without it the consumer sends none. */
  operations?: OperationsClient;
}

/** `host:port[,host:port…]` as a list; a clear error for an empty one. */
export function hubAddresses(address: string): string[] {
  const addresses = address
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (addresses.length === 0) throw new Error(`--hub needs at least one host:port, not ${JSON.stringify(address)}`);
  return addresses;
}

export class HubClient {
  private readonly endpoints: readonly HubEndpoint[];
  /** The endpoint calls go to, until it is unreachable. */
  private current = 0;

  constructor(
    endpoints: ExchangeClient | readonly HubEndpoint[],
    readonly scope: CallScope,
    operations?: OperationsClient,
    private readonly deadlineMs = DEFAULT_DEADLINE_MS,
  ) {
    this.endpoints = Array.isArray(endpoints)
      ? endpoints
      : [{ exchange: endpoints as ExchangeClient, ...(operations ? { operations } : {}) }];
    if (this.endpoints.length === 0) throw new Error('a hub client needs at least one hub');
  }

  static async connect(connection: HubConnection, scope: CallScope): Promise<HubClient> {
    const [ca, cert, key] = await Promise.all([
      readPem(connection.caPath, "the hub's CA certificate (--ca)"),
      readPem(connection.certPath, "this system's certificate (--cert)"),
      readPem(connection.keyPath, "this system's private key (--key)"),
    ]);
    const tls = credentials.createSsl(ca, key, cert);
    const endpoints = hubAddresses(connection.address).map((address) => ({
      exchange: new ExchangeClient(address, tls),
      operations: new OperationsClient(address, tls),
    }));
    return new HubClient(endpoints, scope);
  }

  /** The Exchange client of the hub calls go to now. */
  get exchange(): ExchangeClient {
    return this.endpoints[this.current]!.exchange;
  }

  get operations(): OperationsClient | undefined {
    return this.endpoints[this.current]!.operations;
  }

  context(caseReference: string): RequestContext {
    return { ...this.scope, caseReference };
  }

  lookup(caseReference: string, request: Omit<LookupRequest, 'context'>): Promise<LookupResponse> {
    return this.unary(this.exchange.lookup, { ...request, context: this.context(caseReference) });
  }

  verify(caseReference: string, request: Omit<VerifyRequest, 'context'>): Promise<VerifyResponse> {
    return this.unary(this.exchange.verify, { ...request, context: this.context(caseReference) });
  }

  /**
   * The change stream; errors it ends with are ServiceErrors (turn them into Refused with
   * Refused.from). A stream that ends unreachable moves the next one to the next hub.
   */
  watchChanges(caseReference: string, cursor: string, personalIds: string[] = []): ClientReadableStream<Change> {
    const from = this.current;
    const stream = this.exchange.watchChanges({ context: this.context(caseReference), cursor, personalIds });
    stream.on('error', (error: ServiceError) => {
      if (error.code === status.UNAVAILABLE) this.failOver(from);
    });
    return stream;
  }

  /**
   * Where a HeartbeatPublisher sends this consumer's beats: to the hub over gRPC (consumers have
   * no Kafka access), which puts them on dancu.heartbeats.v1 beside the sources'.
   */
  heartbeatSink(): Pick<RecordPublisher, 'publish'> {
    return {
      publish: async (_topic, records) => {
        const operations = this.operations;
        if (!operations) return;
        for (const record of records) {
          const beat = JSON.parse(String(record.value)) as Heartbeat;
          const request: ReportHeartbeatRequest = {
            agreementId: this.scope.agreementId,
            connector: beat.connector,
            state: beat.state,
            read: beat.position.read,
            checkpoint: beat.position.checkpoint,
            published: beat.counts.published,
            rejected: beat.counts.rejected,
            skipped: beat.counts.skipped,
            lastError: beat.lastError?.message ?? '',
            ...(beat.lastError ? { lastErrorAt: new Date(beat.lastError.at) } : {}),
            version: beat.version,
            startedAt: new Date(beat.startedAt),
            intervalMs: beat.intervalMs,
          };
          await new Promise<void>((resolve, reject) =>
            operations.reportHeartbeat(request, new Metadata(), { deadline: Date.now() + this.deadlineMs }, (error) =>
              error ? reject(Refused.from(error)) : resolve(),
            ),
          );
        }
      },
    };
  }

  close(): void {
    for (const { exchange, operations } of this.endpoints) {
      exchange.close();
      operations?.close();
    }
  }

  /** Moves calls on from the endpoint `from` (unless another call already did). */
  private failOver(from: number): void {
    if (this.current === from) this.current = (from + 1) % this.endpoints.length;
  }

  /**
   * `method` is an Exchange method (the same function on every client, from the generated
   * prototype), called on whichever hub is current.
   */
  private async unary<Q, R>(method: Unary<Q, R>, request: Q): Promise<R> {
    for (let attempt = 1; ; attempt += 1) {
      const from = this.current;
      const exchange = this.exchange;
      try {
        return await new Promise<R>((resolve, reject) => {
          method.call(exchange, request, new Metadata(), { deadline: Date.now() + this.deadlineMs }, (error, response) => {
            if (error) reject(error);
            else resolve(response);
          });
        });
      } catch (error) {
        const failed = error as ServiceError;
        if (failed.code !== status.UNAVAILABLE || attempt >= this.endpoints.length) throw Refused.from(failed);
        this.failOver(from);
      }
    }
  }
}

async function readPem(path: string, what: string): Promise<Buffer> {
  let pem: Buffer;
  try {
    pem = await readFile(path);
  } catch (error) {
    throw new Error(`cannot read ${what} at ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN ')) throw new Error(`${what} at ${path} is not a PEM file`);
  return pem;
}

// A consuming organisation's connection to the hub: mutual TLS with the certificate the hub's CA
// issued to its system, and the Exchange calls as promises that either answer or throw Refused.
// Every call carries the agreement, purpose and officer it is made under, plus the case it serves.
import { readFile } from 'node:fs/promises';
import { Metadata, credentials, type CallOptions, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import {
  ExchangeClient,
  type Change,
  type LookupRequest,
  type LookupResponse,
  type RequestContext,
  type VerifyRequest,
  type VerifyResponse,
} from '../../proto/gen/dancu/exchange/v1/exchange.ts';
import { OperationsClient, type ReportHeartbeatRequest } from '../../proto/gen/dancu/operations/v1/operations.ts';
import type { RecordPublisher } from '../../kafka/transport.ts';
import type { Heartbeat } from '../sdk/heartbeat.ts';
import { Refused } from './refused.ts';

export interface HubConnection {
  /** host:port of the hub's gRPC API. */
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

type Unary<Q, R> = (request: Q, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: R) => void) => unknown;

export class HubClient {
  constructor(
    readonly exchange: ExchangeClient,
    readonly scope: CallScope,
    /** For heartbeats (Operations.ReportHeartbeat); without it the consumer sends none. */
    readonly operations?: OperationsClient,
    private readonly deadlineMs = DEFAULT_DEADLINE_MS,
  ) {}

  static async connect(connection: HubConnection, scope: CallScope): Promise<HubClient> {
    const [ca, cert, key] = await Promise.all([
      readPem(connection.caPath, "the hub's CA certificate (--ca)"),
      readPem(connection.certPath, "this system's certificate (--cert)"),
      readPem(connection.keyPath, "this system's private key (--key)"),
    ]);
    const tls = credentials.createSsl(ca, key, cert);
    return new HubClient(new ExchangeClient(connection.address, tls), scope, new OperationsClient(connection.address, tls));
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

  /** The change stream; errors it ends with are ServiceErrors (turn them into Refused with Refused.from). */
  watchChanges(caseReference: string, cursor: string, personalIds: string[] = []): ClientReadableStream<Change> {
    return this.exchange.watchChanges({ context: this.context(caseReference), cursor, personalIds });
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
            operations.reportHeartbeat(request, new Metadata(), { deadline: Date.now() + this.deadlineMs }, (error) => (error ? reject(Refused.from(error)) : resolve())),
          );
        }
      },
    };
  }

  close(): void {
    this.exchange.close();
    this.operations?.close();
  }

  private unary<Q, R>(method: Unary<Q, R>, request: Q): Promise<R> {
    return new Promise((resolve, reject) => {
      method.call(this.exchange, request, new Metadata(), { deadline: Date.now() + this.deadlineMs }, (error, response) => {
        if (error) reject(Refused.from(error));
        else resolve(response);
      });
    });
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

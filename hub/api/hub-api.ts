// Composes the hub's gRPC API from its parts: the store, the journal, the registry, the
// enforcement pipeline, the change feed and the corrections topic. The one place that knows
// how they fit; each part stays testable on its own.

import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { type Tracer, trace } from '@opentelemetry/api';
import { Registry as MetricsRegistry } from 'prom-client';
import type { BatchConsumer } from '../../kafka/batch-consumer.ts';
import { connectKafka } from '../../kafka/connect.ts';
import { RecordPublisher } from '../../kafka/record-publisher.ts';
import { ensureTopics } from '../../kafka/topic-creation.ts';
import type { TopicTail } from '../../kafka/topic-tail.ts';
import { API_TOPICS, topicLayout } from '../../kafka/topics.ts';
import { stopStep } from '../../telemetry/stop-steps.ts';
import { type EidSettings, EidVerifier } from '../eid/eid-assertion.ts';
import { AbuseGuard } from '../exchange/abuse-guard.ts';
import { CursorCodec } from '../exchange/change-cursor.ts';
import { CitizenCache } from '../exchange/citizen-cache.ts';
import { correctionDecisionsGroup, followCorrectionDecisions } from '../exchange/correction-decisions.ts';
import { kafkaDataErrorReporter, recordedReporter } from '../exchange/data-error-report.ts';
import { DataErrorReports } from '../exchange/data-error-reports.ts';
import { Enforcement } from '../exchange/enforcement.ts';
import { ExchangeMetrics } from '../exchange/exchange-metrics.ts';
import { exchangeService } from '../exchange/exchange-service.ts';
import { HubInstances } from '../exchange/hub-instances.ts';
import { RefusalFlood, type RefusalFloodOptions } from '../exchange/refusal-flood.ts';
import { SandboxCitizens } from '../exchange/sandbox-citizens.ts';
import { StreamSlots } from '../exchange/stream-slots.ts';
import { kafkaChangeFeed } from '../exchange/watch-changes.ts';
import { kafkaHeadWitness } from '../journal/head-witness.ts';
import { Journal } from '../journal/journal.ts';
import { queryJournal } from '../journal/query-journal.ts';
import type { ConnectorHealth } from '../operations/connector-health.ts';
import { operationsService } from '../operations/operations-service.ts';
import { pkiFiles } from '../pki/pki-files.ts';
import { registerCatalogueMetrics } from '../registry/catalogue-metrics.ts';
import { followInvalidations, kafkaInvalidations } from '../registry/invalidation.ts';
import { Registry } from '../registry/registry.ts';
import { registryService } from '../registry/registry-service.ts';
import { type AccessLog, selfService } from '../self-service/self-service.ts';
import { PopulationStore } from '../store/population-store.ts';
import { SupportDesk } from '../support/support-desk.ts';
import { supportService } from '../support/support-service.ts';
import { registerOverdueGauge } from '../written-requests/overdue-gauge.ts';
import { WrittenRequests } from '../written-requests/written-requests.ts';
import { writtenRequestsService } from '../written-requests/written-requests-service.ts';
import { ApiServer } from './api-server.ts';

export interface HubApiOptions {
  kafkaBrokers: string[];
  mongodbUri: string;
  database: string;
  /** host:port for gRPC; port 0 picks a free one. */
  address: string;
  /** The hub PKI (`dancu pki init`): server certificate, CA, and the journal's signing key. */
  pkiDir?: string;
  insecurePlaintext?: boolean;
  /** Where the exchange metrics go (the admin server's registry). */
  metrics?: MetricsRegistry;
  /** How often open WatchChanges streams re-check their agreement and consents. */
  recheckMs?: number;
  /** The `dancu-hub` service's tracer (telemetry/tracing.ts); no spans when absent. */
  tracer?: Tracer;
  /** The connectors' health (the ingest service's heartbeat monitor), for Operations and grpc.health.v1. */
  connectors?: () => ConnectorHealth[];
  /** The hub's journal when the process already has one (the ingest service's); else the API opens its own. */
  journal?: Journal;
  /** How many refusals per certificate are journaled one by one before they are aggregated (refusal-flood.ts). */
  refusalFlood?: Partial<RefusalFloodOptions>;
  /** Open WatchChanges streams an agreement may hold on this instance (default 5). */
  streamsPerAgreement?: number;
  /** How long the enforcement pipeline reuses registry reads (default 2 s); invalidations drop them at once. */
  enforcementCacheMs?: number;
  /** The enforcement pipeline's clock (certificate expiry, validity windows); tests move it. */
  clock?: () => Date;
  log?: (line: string) => void;
  /** Citizens the exchange keeps in memory, invalidated from dancu.changes.v1 (default 20,000; 0: none). */
  citizenCache?: number;
  /**
   * The e-identification platform whose signed assertions identify citizens (SelfService) and
   * confirm their consents (R8, R12). Without it, both are refused (EID_UNAVAILABLE, CONSENT_NOT_CONFIRMED).
   */
  eid?: EidSettings;
}

/** How often the API checks that the store (registry, citizens, journal) answers, for grpc.health.v1. */
const HEALTH_CHECK_MS = 5_000;

export class HubApi {
  private readonly healthTimer: NodeJS.Timeout;

  private constructor(
    private readonly server: ApiServer,
    readonly port: number,
    readonly journal: Journal,
    private readonly ownJournal: boolean,
    readonly registry: Registry,
    /** This hub among the live ones (heartbeats), for the share of each agreement's rate. */
    readonly instances: HubInstances,
    /** The exchange's citizen cache (citizen-cache.ts). */
    readonly citizens: CitizenCache,
    private readonly store: PopulationStore,
    private readonly publisher: RecordPublisher,
    private readonly refusals: RefusalFlood,
    /** Open WatchChanges streams per agreement (each holds a Kafka consumer). */
    readonly streams: StreamSlots,
    connectors: () => ConnectorHealth[],
    /** The invalidation topic, followed from its end. */
    private readonly invalidations: TopicTail,
    /** R34: the synthetic citizens of test runs. */
    private readonly sandbox: SandboxCitizens,
    /** R37: the consumer of the registers' decisions on data-error reports. */
    private readonly decisions: BatchConsumer,
  ) {
    this.healthTimer = setInterval(() => {
      void this.store.ping().then(
        () => this.server.health.setServing(true),
        () => this.server.health.setServing(false),
      );
      for (const connector of connectors()) this.server.health.setConnector(connector.connector, connector.state === 'healthy');
    }, HEALTH_CHECK_MS);
    this.healthTimer.unref();
  }

  static async start(options: HubApiOptions): Promise<HubApi> {
    const log = options.log ?? ((line: string) => console.error(line));
    const kafka = connectKafka({ brokers: options.kafkaBrokers, clientId: 'dancu-hub-api' });
    await ensureTopics(kafka, API_TOPICS.map(topicLayout));
    const store = await PopulationStore.open({ uri: options.mongodbUri, database: options.database });
    const publisher = new RecordPublisher(kafka);
    await publisher.connect();
    const signingKey = options.pkiDir ? readJournalSigningKey(options.pkiDir) : undefined;
    const ownJournal = options.journal === undefined;
    const witness = kafkaHeadWitness(kafka, publisher);
    const journal = options.journal ?? (await Journal.open(store.db, signingKey ? { signingKey, witness } : {}));
    const eid = options.eid ? new EidVerifier(options.eid) : undefined;
    const registry = await Registry.open(store.db, journal, { invalidations: kafkaInvalidations(publisher, log), ...(eid ? { eid } : {}) });

    const metricsRegistry = options.metrics ?? new MetricsRegistry();
    const metrics = new ExchangeMetrics(metricsRegistry, log);
    registerCatalogueMetrics(metricsRegistry, registry);
    const tracer = options.tracer ?? trace.getTracer('dancu');
    const journaled = metrics.timed(journal);
    const instances = await HubInstances.join(store.db);
    const citizens = new CitizenCache(store, options.citizenCache === undefined ? {} : { maxCitizens: options.citizenCache });
    // In the background: until the change feed has joined, reads go to the store.
    citizens
      .follow(kafka, log)
      .catch((error: unknown) => log(`citizen cache: not following changes (${String(error)}); every read goes to the store`));
    const enforcement = new Enforcement(registry, {
      instances: () => instances.count(),
      ...(options.enforcementCacheMs !== undefined ? { cacheMs: options.enforcementCacheMs } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
    });
    // Before serving: a revocation published from now on reaches this instance's caches and streams.
    const invalidations = await followInvalidations(kafka, () => enforcement.invalidate());
    invalidations.done.catch((error: unknown) =>
      log(
        `the invalidation topic stopped being followed (${error instanceof Error ? error.message : String(error)}); registry changes made elsewhere now take up to the cache's 2 s`,
      ),
    );
    const reports = new DataErrorReports(store.db, journaled);
    // R37: the registers' decisions, applied once per hub database (its own group), from the oldest kept.
    const decisions = followCorrectionDecisions({ kafka, reports, groupId: correctionDecisionsGroup(options.database), log });
    void decisions.start().catch((error: unknown) => log(`correction decisions are not followed (${String(error)})`));
    const sandbox = new SandboxCitizens({ mongodbUri: options.mongodbUri, database: options.database });
    const abuse = new AbuseGuard({ onFlag: (flag) => metrics.flagged(flag) });
    const refusals = new RefusalFlood(journaled, options.refusalFlood);
    const streams = new StreamSlots(options.streamsPerAgreement);
    const accessLog: AccessLog = {
      // Filtered in the query, not after it: ingest entries name citizens too and must not use up the limit.
      // The citizen's own reads through a portal (self-service) are accesses too (R8, R35).
      accessesTo: (personalId, since, limit) =>
        queryJournal(store.db, { citizen: personalId, act: ['exchange', 'self-service'], since, limit }),
    };
    const written = new WrittenRequests(store.db, store, journaled);
    if (options.metrics) registerOverdueGauge(options.metrics, written, log);
    const server = await ApiServer.start({
      address: options.address,
      ...(options.pkiDir ? { pkiDir: options.pkiDir } : {}),
      ...(options.insecurePlaintext ? { insecurePlaintext: true } : {}),
      exchange: exchangeService({
        enforcement,
        journal: journaled,
        store: citizens,
        sandbox,
        abuse,
        reporter: recordedReporter(reports, kafkaDataErrorReporter(publisher)),
        reports,
        changes: kafkaChangeFeed(kafka),
        // Cursors are keyed like the journal's signed heads: by the hub's signing key.
        cursors: CursorCodec.forHub(signingKey),
        streams,
        observer: metrics,
        tracer,
        refusals,
        ...(options.recheckMs ? { recheckMs: options.recheckMs } : {}),
      }),
      selfService: selfService({
        enforcement,
        journal: journaled,
        accessLog,
        store,
        abuse,
        observer: metrics,
        tracer,
        refusals,
        ...(eid ? { eid } : {}),
      }),
      registry: registryService({ registry, journal: journaled, observer: metrics, tracer }),
      writtenRequests: writtenRequestsService({ written, journal: journaled, observer: metrics, tracer, officers: registry }),
      operations: operationsService({
        connectors: options.connectors ?? (() => []),
        enforcement,
        publisher,
        journal: journaled,
        observer: metrics,
        tracer,
        officers: registry,
      }),
      support: supportService({
        desk: new SupportDesk(store.db, journaled, registry),
        enforcement,
        journal: journaled,
        observer: metrics,
        tracer,
        officers: registry,
      }),
      log,
    });
    return new HubApi(
      server,
      server.port,
      journal,
      ownJournal,
      registry,
      instances,
      citizens,
      store,
      publisher,
      refusals,
      streams,
      options.connectors ?? (() => []),
      invalidations,
      sandbox,
      decisions,
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.healthTimer);
    // Aggregated refusals are written now, so no call in flight waits out its window.
    await stopStep('API: refusals', () => this.refusals.stop());
    await stopStep('API: gRPC server (calls in flight)', () => this.server.stop());
    await stopStep('API: invalidations', () => this.invalidations.stop());
    await stopStep('API: decisions', () => this.decisions.stop().catch(() => undefined));
    // Quota leases released with what they used, and the heartbeat withdrawn, while the store is
    // open. With the store away neither can be written: the leases then count as fully used and
    // the heartbeat ages out, so the stop goes on.
    await stopStep('API: quota leases', () => this.registry.close().catch(() => undefined));
    await stopStep('API: instance heartbeat', () => this.instances.leave().catch(() => undefined));
    await stopStep('API: citizen cache', () => this.citizens.stop());
    await stopStep('API: sandbox', () => this.sandbox.close());
    if (this.ownJournal) await stopStep('API: journal', () => this.journal.close());
    await stopStep('API: publisher', () => this.publisher.close());
    await stopStep('API: store', () => this.store.close());
  }
}

/** The journal signs its chain head with the hub's Ed25519 key when `dancu pki init` made one. */
export function readJournalSigningKey(pkiDir: string) {
  const path = pkiFiles(pkiDir).signingKey;
  return existsSync(path) ? createPrivateKey(readFileSync(path)) : undefined;
}

// A whole exchange on a bench: the hub API on mutual TLS over a fresh database, simulated
// citizens in the store, and consumers registered the way a real one is — a connection request
// filed and approved by the competent officer, a security assessment, a certificate issued and
// recorded by the registry — and a local e-identification platform (deploy/local/eid-issuer.ts)
// whose assertions the hub trusts. The exchange integration tests and the lookup benchmark both
// stand on it. Officers: `c06-head` (agency head, registered by the CA key holder) and
// `hn-director` (Hà Nội provincial police).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelCredentials } from '@grpc/grpc-js';
import type { Tracer } from '@opentelemetry/api';
import type { Registry as MetricsRegistry } from 'prom-client';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { LocalEidIssuer } from '../deploy/local/eid-issuer.ts';
import { HubApi } from '../hub/api/hub-api.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { DEFAULT_EID_AUDIENCE, LOCAL_EID_ISSUER } from '../hub/eid/eid-assertion.ts';
import type { RefusalFloodOptions } from '../hub/exchange/refusal-flood.ts';
import { sandboxDatabase } from '../hub/exchange/sandbox-citizens.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import type { Journal } from '../hub/journal/journal.ts';
import type { ConnectorHealth } from '../hub/operations/connector-health.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { type ClientTls, clientCredentials } from '../hub/pki/credentials.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import type { Channel } from '../hub/registry/channel-rules.ts';
import { competentAuthority } from '../hub/registry/competent-authority.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { ONWARD_SHARING_TERM } from '../hub/registry/onward-sharing.ts';
import { isRequesterCategory, isStateBody, type RequesterCategory } from '../hub/registry/requester-category.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { SelfServiceClient } from '../proto/gen/dancu/citizen/v1/self_service.ts';
import { ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { RegistryClient } from '../proto/gen/dancu/registry/v1/registry.ts';

const DAY_MS = 86_400_000;

export interface ExchangeSandboxOptions {
  kafkaBrokers: string[];
  mongodbUri: string;
  /** A database of its own: it is dropped by `stop()`. */
  database: string;
  /** Simulated citizens put in the store (default 20). */
  citizens?: number;
  /** The simulation's seed (default 4242). */
  seed?: number;
  recheckMs?: number;
  metrics?: MetricsRegistry;
  tracer?: Tracer;
  /** The connectors' health the API reports (Operations, grpc.health.v1). */
  connectors?: () => ConnectorHealth[];
  /** The journal of a hub process sharing this database (one writer per process keeps the chain uncontended). */
  journal?: Journal;
  refusalFlood?: Partial<RefusalFloodOptions>;
  streamsPerAgreement?: number;
  /** The enforcement pipeline's cache and clock (HubApiOptions). */
  enforcementCacheMs?: number;
  clock?: () => Date;
  log?: (line: string) => void;
}

export interface ConsumerSpec {
  organisation: string;
  category: string;
  locality?: { province: string; district?: string; commune?: string };
  system: string;
  version?: string;
  services: string[];
  purposes: string[];
  grants: { field: string; modes: string[] }[];
  quota?: { ratePerSecond: number; dailyLimit: number };
  /** Days ago the security assessment was made (default 30; over 365 means expired). */
  assessedDaysAgo?: number;
  /** R18 (default: a portal for SelfService, else the population-DB connection for state bodies and the Ministry's method for others). */
  channel?: string;
}

export interface Consumer {
  agreementId: string;
  credentials: ChannelCredentials;
  /** The PEMs behind `credentials`, for clients that read them from files (the consumer CLI). */
  tls: ClientTls;
  exchange: ExchangeClient;
  selfService: SelfServiceClient;
}

export interface ExchangeSandbox {
  api: HubApi;
  store: PopulationStore;
  database: string;
  pkiDir: string;
  address: string;
  /** The simulated citizens that have a full name and a date of birth (so Lookup can name them). */
  citizens: CitizenDocument[];
  register(spec: ConsumerSpec): Promise<Consumer>;
  /** A certificate recorded for `system` (registered by a submitted request), and its clients: for test runs before approval. */
  systemClients(system: string, organisation: string): Promise<Omit<Consumer, 'agreementId'>>;
  /** The local e-identification platform the hub trusts: signs citizens' assertions. */
  eid: LocalEidIssuer;
  /** The citizen confirms (or withdraws) consent in VNeID, and `c06-head` records it (R12). */
  consent(agreementId: string, personalId: string, decision?: 'granted' | 'revoked'): Promise<void>;
  /** A registry client with an operator certificate for `officerId`. */
  operator(officerId: string): Promise<RegistryClient>;
  /** An operator certificate for `officerId`, for any client. */
  operatorCredentials(officerId: string): Promise<ChannelCredentials>;
  /** Stops the hub API, drops the database and deletes the PKI. */
  stop(): Promise<void>;
}

export async function startExchangeSandbox(options: ExchangeSandboxOptions): Promise<ExchangeSandbox> {
  const { kafkaBrokers, mongodbUri, database } = options;
  const pkiDir = await mkdtemp(join(tmpdir(), 'dancu-exchange-pki-'));
  await initCertificateAuthority(pkiDir, { hosts: [], force: false });
  const eid = await LocalEidIssuer.open(join(pkiDir, 'eid'));
  const api = await HubApi.start({
    eid: { jwks: eid.files.jwks, issuer: LOCAL_EID_ISSUER, audience: DEFAULT_EID_AUDIENCE },
    kafkaBrokers,
    mongodbUri,
    database,
    address: '127.0.0.1:0',
    pkiDir,
    ...(options.recheckMs ? { recheckMs: options.recheckMs } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.tracer ? { tracer: options.tracer } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.connectors ? { connectors: options.connectors } : {}),
    ...(options.refusalFlood ? { refusalFlood: options.refusalFlood } : {}),
    ...(options.streamsPerAgreement ? { streamsPerAgreement: options.streamsPerAgreement } : {}),
    ...(options.enforcementCacheMs !== undefined ? { enforcementCacheMs: options.enforcementCacheMs } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    log: options.log ?? (() => {}),
  });
  const address = `localhost:${api.port}`;
  const store = await PopulationStore.open({ uri: mongodbUri, database });
  const events = simulateEvents({ seed: options.seed ?? 4242, citizens: options.citizens ?? 20 });
  await applyEvents(events, store);
  const ids = [...new Set(events.map((event) => event.personalId))];
  const documents = await store.readCitizens(ids);
  const citizens = [...documents.values()].filter(
    (document) => typeof document.fields.fullName?.value === 'string' && typeof document.fields.dateOfBirth?.value === 'string',
  );
  const ca = await readFile(pkiFiles(pkiDir).caCertificate, 'utf8');
  const caKeyHolder = new CaKeyHolder('sandbox');
  await api.registry.addOfficer({ _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' }, caKeyHolder);
  await api.registry.addOfficer(
    { _id: 'hn-director', name: 'Giám đốc Công an TP Hà Nội', level: 'provincial-police', locality: { province: '01' } },
    'c06-head',
  );

  async function operatorCredentials(officerId: string): Promise<ChannelCredentials> {
    return clientCredentials(await tlsFor('operator', officerId, 'population-data-agency'));
  }

  async function tlsFor(kind: 'system' | 'operator', id: string, organisation: string): Promise<ClientTls> {
    const issued = await issueCertificate(pkiDir, { kind, id, organisation, validDays: 30 });
    if (kind === 'system') await api.registry.recordCertificate(id, issued.fingerprint256, caKeyHolder);
    else await api.registry.recordOperatorCertificate(id, issued.fingerprint256, caKeyHolder);
    return { caPem: ca, certPem: issued.certificatePem, keyPem: issued.privateKeyPem };
  }

  return {
    api,
    store,
    database,
    pkiDir,
    address,
    citizens,
    eid,
    async register(spec) {
      const now = Date.now();
      const request = {
        organisation: {
          id: spec.organisation,
          name: `${spec.organisation} (sandbox)`,
          category: spec.category,
          locality: spec.locality ?? { province: '01' },
          functionsAndTasks: 'Sandbox consumer.',
        },
        system: {
          id: spec.system,
          name: `${spec.system} (sandbox)`,
          version: spec.version ?? '1.0.0',
          database: 'sandbox',
          connectedViaEidPlatform: false,
        },
        channel: spec.channel ?? defaultChannel(spec),
        acceptsOnwardSharingTerm: ONWARD_SHARING_TERM.id,
        officerInCharge: { name: 'Trần Văn Bình', title: 'IT lead', contact: 'binh@example.vn' },
        purposes: spec.purposes,
        scope: 'Sandbox exchange.',
        grants: spec.grants,
        services: spec.services,
        technicalDocuments: [{ title: 'Design', uri: 'https://example.vn/design.pdf' }],
        validity: { from: new Date(now - DAY_MS).toISOString(), until: new Date(now + 300 * DAY_MS).toISOString() },
        quota: spec.quota ?? { ratePerSecond: 1000, dailyLimit: 100_000 },
      };
      // The competent officer for the category (R17): the sandbox's requesters sit in Hà Nội.
      const officer =
        competentAuthority(request.organisation.category as RequesterCategory, request.organisation.locality).level === 'agency-head'
          ? 'c06-head'
          : 'hn-director';
      const submitted = await api.registry.submitRequest(request, 'c06-head');
      await api.registry.reviewRequest(submitted._id, { officerId: officer, decision: 'approve' });
      await api.registry.recordAssessment(
        {
          systemId: spec.system,
          systemVersion: spec.version ?? '1.0.0',
          level: 3,
          assessedAt: new Date(now - (spec.assessedDaysAgo ?? 30) * DAY_MS).toISOString(),
          kind: 'initial',
          findings: 'No open findings.',
          assessor: 'A05',
        },
        'c06-head',
      );
      const tls = await tlsFor('system', spec.system, spec.organisation);
      const credentials = clientCredentials(tls);
      return {
        agreementId: submitted._id,
        credentials,
        tls,
        exchange: new ExchangeClient(address, credentials),
        selfService: new SelfServiceClient(address, credentials),
      };
    },
    async systemClients(system, organisation) {
      const tls = await tlsFor('system', system, organisation);
      const credentials = clientCredentials(tls);
      return {
        credentials,
        tls,
        exchange: new ExchangeClient(address, credentials),
        selfService: new SelfServiceClient(address, credentials),
      };
    },
    async consent(agreementId, personalId, decision = 'granted') {
      const confirmation = await eid.sign({ personalId, consent: { agreement: agreementId, decision, channel: 'VNeID' } });
      if (decision === 'granted') await api.registry.recordConsent(agreementId, personalId, 'c06-head', confirmation);
      else await api.registry.revokeConsent(agreementId, personalId, 'c06-head', confirmation);
    },
    async operator(officerId) {
      return new RegistryClient(address, await operatorCredentials(officerId));
    },
    operatorCredentials,
    async stop() {
      await api.stop();
      await store.db.dropDatabase();
      await store.db.client.db(sandboxDatabase(database)).dropDatabase(); // the test runs' synthetic citizens, if any ran
      await store.close();
      await rm(pkiDir, { recursive: true, force: true });
    },
  };
}

/** A channel the spec's category may use for its services (R18). */
function defaultChannel(spec: ConsumerSpec): Channel {
  if (spec.services.includes('SelfService') || spec.category === 'PUBLIC_SERVICE_PORTAL') return 'public-service-portal';
  return isRequesterCategory(spec.category) && isStateBody(spec.category) ? 'population-db-connection' : 'ministry-approved-method';
}

/** The triple Lookup needs, from a stored citizen. */
export function keyOf(citizen: CitizenDocument): { personalId: string; fullName: string; dateOfBirth: string } {
  return {
    personalId: citizen._id,
    fullName: String(citizen.fields.fullName!.value),
    dateOfBirth: String(citizen.fields.dateOfBirth!.value),
  };
}

// What the exchange tests share: a hub API on mutual TLS over a fresh database, citizens in the
// store, and consumers registered the way a real one is — a connection request approved by the
// competent officer, a security assessment, a certificate issued and recorded by the registry.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata, type CallOptions, type ServiceError, type ChannelCredentials } from '@grpc/grpc-js';
import { ExchangeClient } from '../proto/gen/dancu/exchange/v1/exchange.ts';
import { SelfServiceClient } from '../proto/gen/dancu/citizen/v1/self_service.ts';
import { RegistryClient } from '../proto/gen/dancu/registry/v1/registry.ts';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import { HubApi } from '../hub/api/hub-api.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { REASON_METADATA_KEY } from '../hub/exchange/grpc-status.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { initCertificateAuthority } from '../hub/pki/certificate-authority.ts';
import { issueCertificate } from '../hub/pki/client-certificate.ts';
import { clientCredentials, type ClientTls } from '../hub/pki/credentials.ts';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { testEndpoints } from './endpoints.ts';
import { prepareTopics, uniqueName } from './harness.ts';

const DAY_MS = 86_400_000;

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
}

export interface Consumer {
  agreementId: string;
  credentials: ChannelCredentials;
  /** The PEMs behind `credentials`, for clients that read them from files (the consumer CLI). */
  tls: ClientTls;
  exchange: ExchangeClient;
  selfService: SelfServiceClient;
}

export interface ExchangeFixture {
  api: HubApi;
  store: PopulationStore;
  database: string;
  pkiDir: string;
  address: string;
  citizens: CitizenDocument[];
  register(spec: ConsumerSpec): Promise<Consumer>;
  /** A registry client with an operator certificate for `officerId`. */
  operator(officerId: string): Promise<RegistryClient>;
  stop(): Promise<void>;
}

/** `database`: use this one (e.g. a startTestHub's, so ingested citizens can be read) instead of a fresh one. */
export async function startExchangeFixture(options: { citizens?: number; recheckMs?: number; database?: string } = {}): Promise<ExchangeFixture> {
  await prepareTopics();
  const pkiDir = await mkdtemp(join(tmpdir(), 'dancu-exchange-pki-'));
  await initCertificateAuthority(pkiDir, { hosts: [], force: false });
  const database = options.database ?? uniqueName('dancu_exchange');
  const { kafkaBrokers, mongodbUri } = testEndpoints();
  const api = await HubApi.start({ kafkaBrokers, mongodbUri, database, address: '127.0.0.1:0', pkiDir, recheckMs: options.recheckMs ?? 300, log: () => {} });
  const address = `localhost:${api.port}`;
  const store = await PopulationStore.open({ uri: mongodbUri, database });
  const events = simulateEvents({ seed: 4242, citizens: options.citizens ?? 20 });
  await applyEvents(events, store);
  const ids = [...new Set(events.map((event) => event.personalId))];
  const documents = await store.readCitizens(ids);
  const citizens = [...documents.values()].filter((document) => typeof document.fields.fullName?.value === 'string' && typeof document.fields.dateOfBirth?.value === 'string');
  const ca = await readFile(pkiFiles(pkiDir).caCertificate, 'utf8');
  await api.registry.addOfficer({ _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' }, 'test');
  await api.registry.addOfficer({ _id: 'hn-director', name: 'Giám đốc Công an TP Hà Nội', level: 'provincial-police', locality: { province: '01' } }, 'test');

  async function tlsFor(kind: 'system' | 'operator', id: string, organisation: string): Promise<ClientTls> {
    const issued = await issueCertificate(pkiDir, { kind, id, organisation, validDays: 30 });
    if (kind === 'system') await api.registry.recordCertificate(id, issued.fingerprint256);
    return { caPem: ca, certPem: issued.certificatePem, keyPem: issued.privateKeyPem };
  }

  return {
    api,
    store,
    database,
    pkiDir,
    address,
    citizens,
    async register(spec) {
      const now = Date.now();
      const request = {
        organisation: { id: spec.organisation, name: `${spec.organisation} (test)`, category: spec.category, locality: spec.locality ?? { province: '01' }, functionsAndTasks: 'Test consumer.' },
        system: { id: spec.system, name: `${spec.system} (test)`, version: spec.version ?? '1.0.0', database: 'test', connectedViaEidPlatform: false },
        officerInCharge: { name: 'Trần Văn Bình', title: 'IT lead', contact: 'binh@example.vn' },
        purposes: spec.purposes,
        scope: 'Integration test.',
        grants: spec.grants,
        services: spec.services,
        technicalDocuments: [{ title: 'Design', uri: 'https://example.vn/design.pdf' }],
        validity: { from: new Date(now - DAY_MS).toISOString(), until: new Date(now + 300 * DAY_MS).toISOString() },
        quota: spec.quota ?? { ratePerSecond: 1000, dailyLimit: 100_000 },
      };
      const submitted = await api.registry.submitRequest(request);
      await api.registry.reviewRequest(submitted._id, { officerId: 'c06-head', decision: 'approve' });
      await api.registry.recordAssessment({
        systemId: spec.system,
        systemVersion: spec.version ?? '1.0.0',
        level: 3,
        assessedAt: new Date(now - (spec.assessedDaysAgo ?? 30) * DAY_MS).toISOString(),
        kind: 'initial',
        findings: 'No open findings.',
        assessor: 'A05',
      });
      const tls = await tlsFor('system', spec.system, spec.organisation);
      const credentials = clientCredentials(tls);
      return { agreementId: submitted._id, credentials, tls, exchange: new ExchangeClient(address, credentials), selfService: new SelfServiceClient(address, credentials) };
    },
    async operator(officerId) {
      return new RegistryClient(address, clientCredentials(await tlsFor('operator', officerId, 'population-data-agency')));
    },
    async stop() {
      await api.stop();
      await store.db.dropDatabase();
      await store.close();
      await rm(pkiDir, { recursive: true, force: true });
    },
  };
}

/** A unary call's outcome: the response, or the status code and dancu reason it was refused with. */
export type Outcome<Response> = { ok: true; response: Response } | { ok: false; code: number; reason: string; details: string };

type UnaryCallback<R> = (error: ServiceError | null, response: R) => void;
type RequestOf<M> = M extends (request: infer Q, metadata: Metadata, options: Partial<CallOptions>, callback: UnaryCallback<infer _R>) => unknown ? Q : never;
type ResponseOf<M> = M extends (request: infer _Q, metadata: Metadata, options: Partial<CallOptions>, callback: UnaryCallback<infer R>) => unknown ? R : never;

/** `call(client, 'lookup', request)`: a generated client's unary method as a promise of its outcome. */
export function call<C, K extends keyof C>(client: C, method: K, request: RequestOf<C[K]>, metadata: Metadata = new Metadata()): Promise<Outcome<ResponseOf<C[K]>>> {
  const invoke = client[method] as unknown as (request: unknown, metadata: Metadata, options: Partial<CallOptions>, callback: UnaryCallback<ResponseOf<C[K]>>) => unknown;
  return new Promise((resolve) => {
    invoke.call(client, request, metadata, {}, (error, response) => {
      if (error) resolve({ ok: false, code: error.code, reason: String(error.metadata?.get(REASON_METADATA_KEY)[0] ?? ''), details: error.details });
      else resolve({ ok: true, response });
    });
  });
}

/** The triple Lookup needs, from a stored citizen. */
export function keyOf(citizen: CitizenDocument): { personalId: string; fullName: string; dateOfBirth: string } {
  return { personalId: citizen._id, fullName: String(citizen.fields.fullName!.value), dateOfBirth: String(citizen.fields.dateOfBirth!.value) };
}

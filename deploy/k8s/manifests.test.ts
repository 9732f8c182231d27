// The production manifests, checked offline: every Kubernetes object against the Kubernetes
// schemas (kubernetes-models), the Strimzi resources against the shape dancu relies on, and all
// of them against the code — environment variables the code reads, ports and probe paths it
// serves, a KafkaTopic for every topic of the contract, ACLs on real topics and groups, the PKI
// files the hub loads, the indexes the store creates.
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as networking from 'kubernetes-models/networking.k8s.io/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as core from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { HUB_NODE_FLAGS } from '../../cli/hub-node-flags.ts';
import { correctionDecisionsGroup } from '../../hub/exchange/correction-decisions.ts';
import { HUB_GROUP_ID } from '../../hub/ingest/ingest-service.ts';
import { pkiFiles } from '../../hub/pki/pki-files.ts';
import { type AccessRule, sourceAccessRules } from '../../kafka/access.ts';
import { ALL_TOPICS, correctionsGroup, sourceTopic, topicLayout } from '../../kafka/topics.ts';
import { SOURCES } from '../../schemas/sources.ts';
import { STRIMZI_SCHEMAS } from './strimzi-shape.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..', '..');

interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const manifests: Manifest[] = readdirSync(here)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(here, file), 'utf8'))
      .map((document) => {
        if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
        return document.toJS() as Omit<Manifest, 'file'> | null;
      })
      .filter((object): object is Omit<Manifest, 'file'> => object !== null)
      .map((object) => ({ ...object, file })),
  );

type Model = new (data: never) => { validate(): void };
const MODELS: Record<string, Model> = {
  'v1/Namespace': core.Namespace,
  'v1/Service': core.Service,
  'v1/ServiceAccount': core.ServiceAccount,
  'v1/ConfigMap': core.ConfigMap,
  'v1/Secret': core.Secret,
  'apps/v1/Deployment': apps.Deployment,
  'apps/v1/StatefulSet': apps.StatefulSet,
  'batch/v1/Job': batch.Job,
  'policy/v1/PodDisruptionBudget': policy.PodDisruptionBudget,
  'networking.k8s.io/v1/NetworkPolicy': networking.NetworkPolicy,
};

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
const strimzi = Object.fromEntries(Object.entries(STRIMZI_SCHEMAS).map(([kind, schema]) => [kind, ajv.compile(schema)]));

/** The code the manifests must agree with (production code, not tests). */
const code = ['cli', 'hub', 'connectors', 'kafka', 'telemetry', 'deploy/local', 'schemas']
  .flatMap((folder) => sourceFiles(join(repo, folder)))
  .map((file) => readFileSync(file, 'utf8'))
  .join('\n');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

const named = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name);
const ofKind = (kind: string) => manifests.filter((m) => m.kind === kind);

interface StrimziAcl {
  resource: { type: string; name?: string; patternType?: string };
  operations: string[];
}
const aclsOf = (user: Manifest) => (user.spec as { authorization: { acls: StrimziAcl[] } }).authorization.acls;

interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  startupProbe?: { httpGet?: { path: string; port: string | number } };
}
const containersOf = (m: Manifest) => (m.spec?.template as { spec?: { containers?: Container[] } } | undefined)?.spec?.containers ?? [];
/** Containers that run dancu itself. */
const dancuContainers = manifests.flatMap((m) =>
  containersOf(m)
    .filter((c) => c.image.includes('/dancu/dancu:'))
    .map((c) => ({ m, c })),
);

describe('deploy/k8s', () => {
  it('every object validates against the Kubernetes schemas, or for Strimzi against the shape dancu relies on', () => {
    expect(manifests.length).toBeGreaterThan(20);
    for (const manifest of manifests) {
      const { file, ...object } = manifest;
      const type = `${manifest.apiVersion}/${manifest.kind}`;
      const where = `${file}: ${type} ${manifest.metadata?.name}`;
      expect(manifest.metadata?.namespace ?? (manifest.kind === 'Namespace' ? 'dancu' : undefined), where).toBe('dancu');
      const Model = MODELS[type];
      if (Model) {
        expect(() => new Model(object as never).validate(), where).not.toThrow();
        continue;
      }
      const validate = strimzi[type];
      expect(validate, `${where}: a kind nobody validates`).toBeDefined();
      expect(validate!(object) ? [] : validate!.errors, where).toEqual([]);
      // Strimzi's operators act only on resources labelled with the cluster they belong to.
      if (manifest.kind !== 'Kafka') expect(manifest.metadata.labels?.['strimzi.io/cluster'], where).toBe('dancu');
    }
  });

  it('a manifest that breaks the schema is refused (the check is not vacuous)', () => {
    const hub = named('Deployment', 'dancu-hub')!;
    const broken = structuredClone(hub) as Manifest & { spec: { replicas: unknown } };
    broken.spec.replicas = 'six';
    expect(() => new apps.Deployment(broken as never).validate()).toThrow(/replicas must be integer/);
    const topic = structuredClone(named('KafkaTopic', sourceTopic('health')))!;
    (topic.spec as { partitions: unknown }).partitions = 0;
    expect(strimzi['kafka.strimzi.io/v1beta2/KafkaTopic']!(topic)).toBe(false);
  });

  it('every environment variable set on a dancu container is one the code reads', () => {
    const names = new Set(dancuContainers.flatMap(({ c }) => (c.env ?? []).map((variable) => variable.name)));
    expect(names.size).toBeGreaterThan(5);
    for (const name of names) expect(code.includes(name), `${name} is read nowhere in the code`).toBe(true);
  });

  it('the hub runs with the Node.js flags production uses (HUB_NODE_FLAGS), so its memory follows what it holds', () => {
    const hub = containersOf(named('Deployment', 'dancu-hub')!)[0]!;
    expect(hub.env!.find((variable) => variable.name === 'NODE_OPTIONS')?.value).toBe(HUB_NODE_FLAGS.join(' '));
  });

  it('the hub serves gRPC and the admin port where its container, Service and probes say, with /readyz and /healthz', () => {
    const hub = containersOf(named('Deployment', 'dancu-hub')!)[0]!;
    const port = (name: string) => hub.ports!.find((p) => p.name === name)!.containerPort;
    const grpcAddress = hub.args![hub.args!.indexOf('--grpc-address') + 1]!;
    expect(grpcAddress).toBe(`0.0.0.0:${port('grpc')}`);
    const env = (name: string) => hub.env!.find((variable) => variable.name === name)?.value;
    expect(Number(env('DANCU_ADMIN_PORT'))).toBe(port('admin'));
    expect(env('DANCU_ADMIN_HOST')).toBe('0.0.0.0');
    expect(hub.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'admin' });
    expect(hub.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'admin' });
    const adminServer = readFileSync(join(repo, 'hub/admin/admin-server.ts'), 'utf8');
    for (const path of ['/readyz', '/healthz']) expect(adminServer).toContain(`path === '${path}'`);
    // Services point at ports their pods name.
    for (const service of ofKind('Service')) {
      const selector = (service.spec as { selector?: Record<string, string> }).selector ?? {};
      const pods = manifests.filter((m) => {
        const labels = (m.spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {};
        return Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);
      });
      expect(pods.length, `Service ${service.metadata.name} selects no pods`).toBeGreaterThan(0);
      const portNames = new Set(pods.flatMap((pod) => containersOf(pod).flatMap((c) => (c.ports ?? []).map((p) => p.name))));
      for (const { targetPort } of (service.spec as { ports: { targetPort: string }[] }).ports) {
        expect(portNames.has(targetPort), `Service ${service.metadata.name} → ${targetPort}`).toBe(true);
      }
    }
    // A drain takes one hub at a time, and the kubelet waits longer than the hub's own bound.
    expect(named('PodDisruptionBudget', 'dancu-hub')?.spec).toMatchObject({ maxUnavailable: 1 });
    const pod = (named('Deployment', 'dancu-hub')!.spec!.template as { spec: { terminationGracePeriodSeconds: number } }).spec;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(Number(env('DANCU_SHUTDOWN_SECONDS')));
  });

  it('every topic of kafka/topics.ts has its KafkaTopic, replicated three times, with the code’s retention and at least its partitions', () => {
    const topics = ofKind('KafkaTopic');
    expect(topics.map((t) => (t.spec as { topicName: string }).topicName).sort()).toEqual([...ALL_TOPICS].sort());
    for (const topic of topics) {
      const spec = topic.spec as { topicName: string; partitions: number; replicas: number; config: Record<string, string> };
      const layout = topicLayout(spec.topicName);
      expect(spec.replicas, spec.topicName).toBe(3);
      expect(spec.config['min.insync.replicas'], spec.topicName).toBe('2');
      for (const [key, value] of Object.entries(layout.config)) expect(spec.config[key], `${spec.topicName} ${key}`).toBe(value);
      // A topic the code makes with one partition is read in one order: it must stay at one.
      if (layout.partitions === 1) expect(spec.partitions, spec.topicName).toBe(1);
      else expect(spec.partitions, spec.topicName).toBeGreaterThanOrEqual(layout.partitions);
    }
  });

  it('the Kafka users’ ACLs name real topics and groups; the hub may run its group for the registers’ decisions (R37)', () => {
    const hubDatabase = containersOf(named('Deployment', 'dancu-hub')!)[0]!.env!.find((variable) => variable.name === 'DANCU_DB')!.value!;
    const groups = [HUB_GROUP_ID, 'dancu-tail-', 'dancu-reader-', ...SOURCES.map(correctionsGroup)];
    for (const user of ofKind('KafkaUser')) {
      for (const { resource } of aclsOf(user)) {
        if (resource.type === 'topic') {
          const matches = ALL_TOPICS.filter((topic) =>
            resource.patternType === 'prefix' ? topic.startsWith(resource.name!) : topic === resource.name,
          );
          expect(matches.length, `${user.metadata.name}: topic ${resource.name}`).toBeGreaterThan(0);
        }
        if (
          resource.type === 'group' &&
          resource.patternType === 'prefix' &&
          correctionDecisionsGroup(hubDatabase).startsWith(resource.name!)
        )
          continue;
        if (resource.type === 'group') expect(groups, `${user.metadata.name}: group ${resource.name}`).toContain(resource.name);
      }
    }
    const hubGroups = aclsOf(named('KafkaUser', 'dancu-hub')!).filter(
      (acl) => acl.resource.type === 'group' && acl.operations.includes('Read'),
    );
    const covers = (acl: StrimziAcl, group: string) =>
      acl.resource.patternType === 'prefix' ? group.startsWith(acl.resource.name!) : group === acl.resource.name;
    expect(hubGroups.some((acl) => covers(acl, correctionDecisionsGroup(hubDatabase)))).toBe(true);
  });

  it('R40, R42, R37: each source connector’s KafkaUser has exactly the ACLs `dancu pki issue --source` gives a source certificate (kafka/access.ts): its own register’s topics and group, nothing of another register', () => {
    const strimziOperation = {
      read: 'Read',
      write: 'Write',
      create: 'Create',
      describe: 'Describe',
      'describe-configs': 'DescribeConfigs',
    } as const;
    const asStrimzi = (rule: AccessRule) => ({
      resource: { type: rule.resource, name: rule.name, patternType: rule.pattern === 'prefixed' ? 'prefix' : 'literal' },
      operations: rule.operations.map((operation) => strimziOperation[operation]).sort(),
    });
    for (const source of SOURCES) {
      const user = named('KafkaUser', `dancu-connector-${source}`)!;
      const acls = aclsOf(user);
      // The cluster grant lets its producer be idempotent (acks=all, no duplicates on retry); it names no data.
      expect(acls.filter((acl) => acl.resource.type === 'cluster')).toEqual([
        { resource: { type: 'cluster' }, operations: ['IdempotentWrite'] },
      ]);
      const granted = acls
        .filter((acl) => acl.resource.type !== 'cluster')
        .map((acl) => ({ resource: { patternType: 'literal', ...acl.resource }, operations: [...acl.operations].sort() }));
      expect(granted, user.metadata.name).toEqual(sourceAccessRules('User:any', source).map(asStrimzi));
      const connector = containersOf(named('StatefulSet', `dancu-connector-${source}`)!)[0]!;
      expect(connector.args!.slice(0, 2)).toEqual(['connector', source]);
    }
  });

  it('R40, R42: every dancu process that reaches Kafka does so with mutual TLS: its own KafkaUser’s certificate and the cluster CA, mounted from their Secrets', () => {
    interface PodSpec {
      containers: { env?: { name: string; value?: string }[]; volumeMounts?: { name: string; mountPath: string }[] }[];
      volumes?: { name: string; secret?: { secretName: string } }[];
    }
    const users = new Set(ofKind('KafkaUser').map((user) => user.metadata.name));
    const clients = dancuContainers.filter(({ c }) => c.env?.some((variable) => variable.name === 'KAFKA_BROKERS'));
    expect(clients.length).toBe(5); // the hub and the four source connectors
    for (const { m, c } of clients) {
      const env = (name: string) => c.env!.find((variable) => variable.name === name)?.value;
      expect(env('KAFKA_BROKERS'), m.metadata.name).toMatch(/:9093$/);
      const spec = (m.spec!.template as { spec: PodSpec }).spec;
      const mounts = spec.containers[0]!.volumeMounts ?? [];
      const secretOf = (path: string) => {
        const mount = mounts.find((candidate) => path.startsWith(`${candidate.mountPath}/`));
        return spec.volumes?.find((volume) => volume.name === mount?.name)?.secret?.secretName;
      };
      expect(secretOf(env('KAFKA_TLS_CA')!), `${m.metadata.name} trusts the cluster CA`).toBe('dancu-cluster-ca-cert');
      for (const variable of ['KAFKA_TLS_CERT', 'KAFKA_TLS_KEY']) {
        const secret = secretOf(env(variable)!);
        expect(secret, `${m.metadata.name} ${variable}`).toBe(m.metadata.name);
        expect(users.has(secret!), `${secret} is a KafkaUser`).toBe(true);
      }
    }
  });

  it('the hub’s PKI Secret holds what the hub loads — and never the CA’s private key', () => {
    const secret = named('Secret', 'dancu-hub-pki')!;
    const files = pkiFiles('/');
    const wanted = [files.caCertificate, files.hubCertificate, files.hubKey, files.signingKey, files.signingPublicKey].map((path) =>
      basename(path),
    );
    expect(Object.keys(secret.stringData ?? {}).sort()).toEqual(wanted.sort());
    expect(Object.keys(secret.stringData ?? {})).not.toContain(basename(files.caKey));
    const hub = named('Deployment', 'dancu-hub')!;
    const pkiDir = containersOf(hub)[0]!.args![containersOf(hub)[0]!.args!.indexOf('--pki-dir') + 1];
    const mounts = (hub.spec!.template as { spec: { containers: { volumeMounts: { name: string; mountPath: string }[] }[] } }).spec
      .containers[0]!.volumeMounts;
    expect(mounts.find((mount) => mount.mountPath === pkiDir)?.name).toBe('pki');
  });

  it('the store is set up with every index the code creates, citizens sharded on the personal id', () => {
    const init = named('ConfigMap', 'dancu-mongodb-init')!.data!['init.js']!;
    const sources = ['hub/store/population-store.ts', 'hub/journal/journal-collections.ts']
      .map((file) => readFileSync(join(repo, file), 'utf8'))
      .join('\n');
    const created = [...sources.matchAll(/createIndex\((\{[^}]*\}), \{ name: ('[a-z_]+'|EXPIRY_INDEX) \}\)/g)];
    expect(created.length).toBeGreaterThanOrEqual(7);
    for (const [, keys, name] of created) {
      const indexName = name === 'EXPIRY_INDEX' ? "'retention'" : name;
      expect(init, `${keys} ${indexName}`).toContain(`createIndex(${keys}, { name: ${indexName} })`);
    }
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the mongosh script's own template literal, as text
    expect(init).toContain("sh.shardCollection(`${process.env.DANCU_DB}.citizens`, { _id: 'hashed' })");
  });
});

// The Strimzi custom resources as dancu uses them (kafka.strimzi.io/v1beta2), as JSON Schemas for
// manifests.test.ts. No package on a registry ships Strimzi's CRD schemas (the `io.strimzi:api`
// jar holds Java classes only, and there is no @kubernetes-models package for Strimzi), so these
// cover what the manifests set, with Strimzi's own field names, types and enumerations; unknown
// fields are refused, so a typo does not pass as an ignored setting.
const name = { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 };
const labels = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = {
  type: 'object',
  required: ['name', 'namespace'],
  properties: {
    name,
    namespace: { type: 'string' },
    labels,
    annotations: labels,
  },
  additionalProperties: false,
};
const resource = (kind: string, spec: object) => ({
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: { apiVersion: { const: 'kafka.strimzi.io/v1beta2' }, kind: { const: kind }, metadata, spec },
  additionalProperties: false,
});
const quantity = { anyOf: [{ type: 'string', pattern: '^[0-9.]+(m|Ki|Mi|Gi|Ti)?$' }, { type: 'integer' }] };
const resources = {
  type: 'object',
  properties: {
    requests: { type: 'object', properties: { cpu: quantity, memory: quantity }, additionalProperties: false },
    limits: { type: 'object', properties: { cpu: quantity, memory: quantity }, additionalProperties: false },
  },
  additionalProperties: false,
};
const configValues = { type: 'object', additionalProperties: { type: ['string', 'integer', 'boolean'] } };

const kafkaTopic = resource('KafkaTopic', {
  type: 'object',
  required: ['topicName', 'partitions', 'replicas', 'config'],
  properties: {
    topicName: { type: 'string', minLength: 1 },
    partitions: { type: 'integer', minimum: 1 },
    replicas: { type: 'integer', minimum: 1, maximum: 32767 },
    config: configValues,
  },
  additionalProperties: false,
});

const acl = {
  type: 'object',
  required: ['resource', 'operations'],
  properties: {
    resource: {
      type: 'object',
      required: ['type'],
      properties: {
        type: { enum: ['topic', 'group', 'cluster', 'transactionalId'] },
        name: { type: 'string', minLength: 1 },
        patternType: { enum: ['literal', 'prefix'] },
      },
      additionalProperties: false,
    },
    operations: {
      type: 'array',
      minItems: 1,
      items: {
        enum: [
          'Read',
          'Write',
          'Create',
          'Delete',
          'Alter',
          'Describe',
          'ClusterAction',
          'AlterConfigs',
          'DescribeConfigs',
          'IdempotentWrite',
          'All',
        ],
      },
    },
    host: { type: 'string' },
    type: { enum: ['allow', 'deny'] },
  },
  additionalProperties: false,
};
const kafkaUser = resource('KafkaUser', {
  type: 'object',
  required: ['authentication', 'authorization'],
  properties: {
    authentication: {
      type: 'object',
      required: ['type'],
      properties: { type: { enum: ['tls', 'tls-external', 'scram-sha-512'] } },
      additionalProperties: false,
    },
    authorization: {
      type: 'object',
      required: ['type', 'acls'],
      properties: { type: { const: 'simple' }, acls: { type: 'array', items: acl } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
});

const kafkaNodePool = resource('KafkaNodePool', {
  type: 'object',
  required: ['replicas', 'roles', 'storage'],
  properties: {
    replicas: { type: 'integer', minimum: 0 },
    roles: { type: 'array', minItems: 1, items: { enum: ['controller', 'broker'] } },
    storage: {
      type: 'object',
      required: ['type', 'volumes'],
      properties: {
        type: { const: 'jbod' },
        volumes: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'type', 'size'],
            properties: {
              id: { type: 'integer', minimum: 0 },
              type: { enum: ['persistent-claim', 'ephemeral'] },
              size: { type: 'string', pattern: '^[0-9]+(Mi|Gi|Ti)$' },
              deleteClaim: { type: 'boolean' },
              kraftMetadata: { const: 'shared' },
              class: { type: 'string' },
            },
            additionalProperties: false,
          },
        },
      },
      additionalProperties: false,
    },
    resources,
    template: { type: 'object' },
  },
  additionalProperties: false,
});

const listener = {
  type: 'object',
  required: ['name', 'port', 'type', 'tls'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
    port: { type: 'integer', minimum: 9092 },
    type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
    tls: { type: 'boolean' },
    authentication: { type: 'object', required: ['type'], properties: { type: { enum: ['tls', 'scram-sha-512', 'oauth', 'custom'] } } },
  },
  additionalProperties: false,
};
const kafka = resource('Kafka', {
  type: 'object',
  required: ['kafka', 'entityOperator'],
  properties: {
    kafka: {
      type: 'object',
      required: ['version', 'listeners'],
      properties: {
        version: { type: 'string', pattern: '^[0-9]+\\.[0-9]+\\.[0-9]+$' },
        listeners: { type: 'array', minItems: 1, items: listener },
        authorization: { type: 'object', required: ['type'], properties: { type: { enum: ['simple', 'opa', 'keycloak', 'custom'] } } },
        config: configValues,
        jvmOptions: { type: 'object', properties: { '-Xms': { type: 'string' }, '-Xmx': { type: 'string' } }, additionalProperties: false },
        metricsConfig: {
          type: 'object',
          required: ['type', 'valueFrom'],
          properties: { type: { const: 'jmxPrometheusExporter' }, valueFrom: { type: 'object' } },
        },
      },
      additionalProperties: false,
    },
    entityOperator: {
      type: 'object',
      properties: { topicOperator: { type: 'object' }, userOperator: { type: 'object' } },
      additionalProperties: false,
    },
  },
  additionalProperties: false,
});

export const STRIMZI_SCHEMAS: Record<string, object> = {
  'kafka.strimzi.io/v1beta2/Kafka': kafka,
  'kafka.strimzi.io/v1beta2/KafkaNodePool': kafkaNodePool,
  'kafka.strimzi.io/v1beta2/KafkaTopic': kafkaTopic,
  'kafka.strimzi.io/v1beta2/KafkaUser': kafkaUser,
};

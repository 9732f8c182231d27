import { describe, expect, it } from 'vitest';
import { resolveEndpoints } from './endpoints.ts';
import { kafkaNodeAddresses } from './locations.ts';
import { StackError } from './stack-error.ts';

describe('resolveEndpoints', () => {
  it('without KAFKA_BROKERS or MONGODB_URI, points at the local stack', () => {
    expect(resolveEndpoints({})).toEqual({
      kafkaBrokers: ['127.0.0.1:9092'],
      mongodbUri: 'mongodb://127.0.0.1:27017/',
      fromEnvironment: { kafka: false, ferretdb: false },
    });
  });

  it('when the environment names servers, uses those and marks them as not local', () => {
    const endpoints = resolveEndpoints({
      KAFKA_BROKERS: ' kafka-1:9092, 10.0.0.6:9094 ,',
      MONGODB_URI: 'mongodb+srv://user:secret@cluster.example.vn/',
    });
    expect(endpoints.kafkaBrokers).toEqual(['kafka-1:9092', '10.0.0.6:9094']);
    expect(endpoints.mongodbUri).toBe('mongodb+srv://user:secret@cluster.example.vn/');
    expect(endpoints.fromEnvironment).toEqual({ kafka: true, ferretdb: true });
  });

  it('an empty variable counts as unset', () => {
    expect(resolveEndpoints({ KAFKA_BROKERS: '  ', MONGODB_URI: '' }).fromEnvironment).toEqual({
      kafka: false,
      ferretdb: false,
    });
  });

  it('a broker without a port is rejected with a sentence that shows the expected form', () => {
    expect(() => resolveEndpoints({ KAFKA_BROKERS: '10.0.0.5:9092,kafka-2' })).toThrowError(
      expect.objectContaining({ code: 'endpoint-invalid', message: expect.stringContaining('"kafka-2" is not') }),
    );
  });

  it('a MONGODB_URI that is not a MongoDB connection string is rejected', () => {
    expect(() => resolveEndpoints({ MONGODB_URI: 'http://127.0.0.1:27017' })).toThrow(StackError);
  });
});

describe('the local Kafka nodes’ listeners', () => {
  it('are on loopback only, at 9092/9093/9094 for node 1 and 10 further per node, moved by DANCU_KAFKA_PORT; a bad port is a clear error', () => {
    expect(kafkaNodeAddresses(1, {})).toEqual({ plaintext: '127.0.0.1:9092', controller: '127.0.0.1:9093', tls: '127.0.0.1:9094' });
    expect(kafkaNodeAddresses(3, { DANCU_KAFKA_PORT: '20000' })).toEqual({
      plaintext: '127.0.0.1:20020',
      controller: '127.0.0.1:20021',
      tls: '127.0.0.1:20022',
    });
    expect(resolveEndpoints({ DANCU_KAFKA_PORT: '20000' }).kafkaBrokers).toEqual(['127.0.0.1:20000']);
    expect(() => kafkaNodeAddresses(1, { DANCU_KAFKA_PORT: '80' })).toThrowError(/DANCU_KAFKA_PORT must be a port between 1024 and 65000/);
  });
});

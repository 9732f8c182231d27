import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaTlsFromEnv } from './connect.ts';

describe('Kafka TLS settings from the environment', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dancu-kafka-tls-'));
    for (const name of ['ca', 'cert', 'key']) await writeFile(join(dir, `${name}.pem`), `${name} pem`);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('none set is plaintext; all three are read; some without the others, or an unreadable file, is a clear error', () => {
    expect(kafkaTlsFromEnv({})).toBeNull();
    const all = { KAFKA_TLS_CA: join(dir, 'ca.pem'), KAFKA_TLS_CERT: join(dir, 'cert.pem'), KAFKA_TLS_KEY: join(dir, 'key.pem') };
    expect(kafkaTlsFromEnv(all)).toEqual({ caPem: 'ca pem', certPem: 'cert pem', keyPem: 'key pem' });
    expect(() => kafkaTlsFromEnv({ KAFKA_TLS_CA: all.KAFKA_TLS_CA })).toThrow(/KAFKA_TLS_CA set without KAFKA_TLS_CERT and KAFKA_TLS_KEY/);
    expect(() => kafkaTlsFromEnv({ ...all, KAFKA_TLS_KEY: join(dir, 'missing.pem') })).toThrow(
      /KAFKA_TLS_KEY=.*missing\.pem cannot be read/,
    );
  });
});

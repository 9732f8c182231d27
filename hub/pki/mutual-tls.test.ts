// A real grpc-js server on loopback with the hub's credentials: who gets through, and what the
// handler learns about them.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initCertificateAuthority } from './certificate-authority.ts';
import { issueCertificate } from './client-certificate.ts';
import { clientCredentials, serverCredentials } from './credentials.ts';
import { callerIdentity, type PeerIdentity } from './peer-identity.ts';
import { pkiFiles } from './pki-files.ts';

const WHO_AM_I = '/dancu.test.Probe/WhoAmI';
const text = { serialize: (value: string) => Buffer.from(value), deserialize: (bytes: Buffer) => bytes.toString() };

/** One unary method, no proto: it answers with the identity the hub sees. */
const probeService: grpc.ServiceDefinition = {
  whoAmI: {
    path: WHO_AM_I,
    requestStream: false,
    responseStream: false,
    requestSerialize: text.serialize,
    requestDeserialize: text.deserialize,
    responseSerialize: text.serialize,
    responseDeserialize: text.deserialize,
  },
};

function whoAmI(address: string, credentials: grpc.ChannelCredentials): Promise<PeerIdentity | null> {
  const client = new grpc.Client(address, credentials);
  return new Promise<PeerIdentity | null>((resolve, reject) => {
    client.makeUnaryRequest(
      WHO_AM_I,
      text.serialize,
      text.deserialize,
      'who am I?',
      new grpc.Metadata(),
      { deadline: Date.now() + 5_000 },
      (error, answer) => {
        if (error) reject(error);
        else resolve(JSON.parse(answer ?? 'null') as PeerIdentity | null);
      },
    );
  }).finally(() => client.close());
}

describe("mutual TLS on the hub's gRPC port", () => {
  let dir: string;
  let otherDir: string;
  let server: grpc.Server;
  let address: string;
  let caPem: string;
  let handled = 0;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dancu-mtls-'));
    otherDir = await mkdtemp(join(tmpdir(), 'dancu-mtls-other-'));
    await initCertificateAuthority(dir);
    await initCertificateAuthority(otherDir);
    caPem = await readFile(pkiFiles(dir).caCertificate, 'utf8');
    server = new grpc.Server();
    server.addService(probeService, {
      whoAmI: (call: grpc.ServerUnaryCall<string, string>, callback: grpc.sendUnaryData<string>) => {
        handled++;
        callback(null, JSON.stringify(callerIdentity(call)));
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', serverCredentials(dir), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
  });

  afterAll(async () => {
    server?.forceShutdown();
    await rm(dir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });

  it("R22: a system with a certificate from the hub's CA reaches the handler, which sees its identity", async () => {
    const issued = await issueCertificate(dir, { kind: 'system', id: 'bank-a.core', organisation: 'vietcombank', validDays: 1 });
    const identity = await whoAmI(address, clientCredentials({ caPem, certPem: issued.certificatePem, keyPem: issued.privateKeyPem }));
    expect(identity).toEqual({
      kind: 'system',
      id: 'bank-a.core',
      organisation: 'vietcombank',
      fingerprint256: issued.fingerprint256,
      notAfter: issued.notAfter.toISOString(),
    });
  });

  it('R22, R29: a client without a certificate is refused before any handler runs', async () => {
    const before = handled;
    await expect(whoAmI(address, grpc.credentials.createSsl(Buffer.from(caPem)))).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handled).toBe(before);
  });

  it('R22, R29: a certificate from another CA is refused', async () => {
    const before = handled;
    const stranger = await issueCertificate(otherDir, { kind: 'system', id: 'bank-a.core', organisation: 'vietcombank', validDays: 1 });
    const credentials = clientCredentials({ caPem, certPem: stranger.certificatePem, keyPem: stranger.privateKeyPem });
    await expect(whoAmI(address, credentials)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handled).toBe(before);
  });

  // OpenSSL checks the extended key usage: the server certificate is refused as INVALID_PURPOSE.
  it("R22: the hub's own server certificate cannot be used to call in as a client", async () => {
    const before = handled;
    const files = pkiFiles(dir);
    const credentials = clientCredentials({
      caPem,
      certPem: await readFile(files.hubCertificate, 'utf8'),
      keyPem: await readFile(files.hubKey, 'utf8'),
    });
    await expect(whoAmI(address, credentials)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
    expect(handled).toBe(before);
  });

  it('R29: a client refuses a hub whose certificate another CA signed', async () => {
    const issued = await issueCertificate(dir, { kind: 'system', id: 'bank-a.core', organisation: 'vietcombank', validDays: 1 });
    const otherCa = await readFile(pkiFiles(otherDir).caCertificate, 'utf8');
    const credentials = clientCredentials({ caPem: otherCa, certPem: issued.certificatePem, keyPem: issued.privateKeyPem });
    await expect(whoAmI(address, credentials)).rejects.toMatchObject({ code: grpc.status.UNAVAILABLE });
  });
});

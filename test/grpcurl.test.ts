// A client that is not ours: grpcurl finds the services through reflection and, with a
// certificate from `dancu pki issue`, gets exactly the granted fields, and PERMISSION_DENIED
// for one field more.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pkiFiles } from '../hub/pki/pki-files.ts';
import { type Consumer, type ExchangeFixture, keyOf, startExchangeFixture } from './exchange-fixture.ts';
import { cliEnv, DANCU_BIN } from './harness.ts';

const run = promisify(execFile);

async function grpcurl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(inject('grpcurl'), args, { timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('grpcurl against the hub', () => {
  let fx: ExchangeFixture;
  let portal: Consumer;
  let tls: string[];

  beforeAll(async () => {
    fx = await startExchangeFixture({ citizens: 5 });
    portal = await fx.register({
      organisation: 'hcm-dpc',
      category: 'CENTRAL_STATE_BODY',
      system: 'hcm-one-stop',
      services: ['Lookup'],
      purposes: ['ADMINISTRATIVE_PROCEDURE'],
      grants: [
        { field: 'fullName', modes: ['disclose'] },
        { field: 'dateOfBirth', modes: ['disclose'] },
      ],
    });
    // The certificate grpcurl uses comes from the CLI, as an operator would make it.
    const issued = await run(process.execPath, [DANCU_BIN, 'pki', 'issue', 'hcm-one-stop', '--dir', fx.pkiDir], {
      env: cliEnv({ DANCU_DB: fx.database }),
    });
    expect(issued.stdout).toContain('fingerprint');
    const files = pkiFiles(fx.pkiDir);
    tls = [
      '-cacert',
      files.caCertificate,
      '-cert',
      join(files.issuedDir, 'hcm-one-stop.crt.pem'),
      '-key',
      join(files.issuedDir, 'hcm-one-stop.key.pem'),
    ];
  });
  afterAll(async () => {
    await fx?.stop();
  });

  it('R28: lists the services through server reflection', async () => {
    const listed = await grpcurl(...tls, fx.address, 'list');
    expect(listed.code, listed.stderr).toBe(0);
    for (const service of [
      'dancu.exchange.v1.Exchange',
      'dancu.citizen.v1.SelfService',
      'dancu.registry.v1.Registry',
      'grpc.health.v1.Health',
    ]) {
      expect(listed.stdout).toContain(service);
    }
    const health = await grpcurl(...tls, '-d', '{"service":"dancu.exchange.v1.Exchange"}', fx.address, 'grpc.health.v1.Health/Check');
    expect(health.stdout, health.stderr).toContain('SERVING');
  });

  it('R7, R22: gets exactly the granted fields, and PERMISSION_DENIED for one field more', async () => {
    const citizen = fx.citizens[0]!;
    const request = (fields: string[]) =>
      JSON.stringify({
        context: { agreement_id: portal.agreementId, purpose: 'ADMINISTRATIVE_PROCEDURE', case_reference: 'HCM-1', officer_id: 'clerk-2' },
        citizen: keyOf(citizen),
        fields,
      });
    const allowed = await grpcurl(...tls, '-d', request(['fullName', 'dateOfBirth']), fx.address, 'dancu.exchange.v1.Exchange/Lookup');
    expect(allowed.code, allowed.stderr).toBe(0);
    const answer = JSON.parse(allowed.stdout) as { fields: { field: string; value: unknown }[] };
    expect(answer.fields.map((field) => [field.field, field.value])).toEqual([
      ['fullName', citizen.fields.fullName!.value],
      ['dateOfBirth', citizen.fields.dateOfBirth!.value],
    ]);
    const refused = await grpcurl(
      ...tls,
      '-d',
      request(['fullName', 'dateOfBirth', 'sex']),
      fx.address,
      'dancu.exchange.v1.Exchange/Lookup',
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('Code: PermissionDenied');
    expect(refused.stderr).toContain('FIELD_NOT_GRANTED');
  });
});

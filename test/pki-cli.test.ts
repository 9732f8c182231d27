import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Db, MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkiDir } from '../cli/settings.ts';
import { REPO_ROOT } from '../deploy/local/locations.ts';
import { Journal } from '../hub/journal/journal.ts';
import { CaKeyHolder } from '../hub/registry/officer-competence.ts';
import { Registry } from '../hub/registry/registry.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, uniqueName } from './harness.ts';

const run = promisify(execFile);
const DANCU = join(REPO_ROOT, 'bin', 'dancu.js');

/** Runs `dancu …`, resolving with the output and exit code whether it succeeded or not. */
const database = uniqueName('dancu_pki');

async function dancu(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [DANCU, ...args], { cwd: REPO_ROOT, env: cliEnv({ DANCU_DB: database }) });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

describe('dancu pki', () => {
  let dir: string;
  let client: MongoClient;
  let db: Db;
  let registry: Registry;
  let journal: Journal;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dancu-pki-cli-'));
    client = await MongoClient.connect(testEndpoints().mongodbUri);
    db = client.db(database);
    journal = await Journal.open(db);
    registry = await Registry.open(db, journal);
    await registry.addOfficer({ _id: 'c06-head', name: 'Cục trưởng C06', level: 'agency-head' }, new CaKeyHolder('test'));
    const request = JSON.parse(await readFile(join(REPO_ROOT, 'deploy', 'examples', 'connection-request.json'), 'utf8'));
    await registry.submitRequest(request, 'c06-head', { requestId: 'cr-vietbank' });
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await journal?.close();
    await db?.dropDatabase();
    await client?.close();
  });

  it('init creates the authority, issue writes a client certificate and says how to use it, bad input fails clearly', async () => {
    const init = await dancu('pki', 'init', '--dir', dir, '--host', 'hub.dancu.gov.vn');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(join(dir, 'ca.crt.pem'));
    expect(new X509Certificate(await readFile(join(dir, 'hub.crt.pem'))).checkHost('hub.dancu.gov.vn')).toBe('hub.dancu.gov.vn');

    // Each start-up takes seconds (tsx loads every command), so the rest run side by side.
    const [again, issue, badId, noCa] = await Promise.all([
      dancu('pki', 'init', '--dir', dir),
      dancu('pki', 'issue', 'c06-head', '--operator', '--days', '30', '--dir', dir),
      dancu('pki', 'issue', 'bank a', '--organisation', 'vcb', '--dir', dir),
      dancu('pki', 'issue', 'vietbank-ekyc', '--dir', join(dir, 'nowhere')),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists .*--force/);

    expect(issue.code, issue.stderr).toBe(0);
    const certificate = join(dir, 'issued', 'c06-head.crt.pem');
    const key = join(dir, 'issued', 'c06-head.key.pem');
    expect(existsSync(key)).toBe(true);
    const issued = new X509Certificate(await readFile(certificate));
    expect(issued.subject).toContain('OU=operator');
    expect(issue.stdout).toContain(issued.fingerprint256);
    expect(issue.stdout).toContain(`grpcurl -cacert ${join(dir, 'ca.crt.pem')} -cert ${certificate} -key ${key} 127.0.0.1:50051 list`);

    expect(badId.code).toBe(1);
    expect(badId.stderr).toContain('dancu: the id "bank a" is not usable: use 1 to 64 letters, digits');
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toContain('run `dancu pki init');
  }, 60_000);

  it('R22: a system certificate is issued only for a registered system, bound to its organisation and recorded', async () => {
    const [issued, unregistered, otherOrganisation, unknownOfficer] = await Promise.all([
      dancu('pki', 'issue', 'vietbank-ekyc', '--dir', dir),
      dancu('pki', 'issue', 'rogue-system', '--organisation', 'vietbank', '--dir', dir),
      dancu('pki', 'issue', 'vietbank-ekyc', '--organisation', 'otherbank', '--dir', dir, '--out', join(dir, 'other')),
      dancu('pki', 'issue', 'someone', '--operator', '--dir', dir),
    ]);
    expect(issued.code, issued.stderr).toBe(0);
    const certificate = new X509Certificate(await readFile(join(dir, 'issued', 'vietbank-ekyc.crt.pem')));
    expect(certificate.subject).toContain('O=vietbank');
    expect((await registry.findSystem('vietbank-ekyc'))?.certificateFingerprints).toContain(certificate.fingerprint256);
    expect(unregistered.code).toBe(1);
    expect(unregistered.stderr).toContain('system rogue-system is not registered');
    expect(otherOrganisation.code).toBe(1);
    expect(otherOrganisation.stderr).toContain('belongs to vietbank, not otherbank');
    expect(unknownOfficer.code).toBe(1);
    expect(unknownOfficer.stderr).toContain('officer someone is not registered');
  }, 60_000);

  it('R22: re-issuing a system certificate revokes the previous one unless --keep-previous; `dancu pki revoke` takes a fingerprint', async () => {
    const fingerprintOf = async (out: string) =>
      new X509Certificate(await readFile(join(dir, out, 'vietbank-ekyc.crt.pem'))).fingerprint256;
    const first = await dancu('pki', 'issue', 'vietbank-ekyc', '--dir', dir, '--out', join(dir, 'first'));
    expect(first.code, first.stderr).toBe(0);
    const overlap = await dancu('pki', 'issue', 'vietbank-ekyc', '--dir', dir, '--out', join(dir, 'overlap'), '--keep-previous');
    expect(overlap.code, overlap.stderr).toBe(0);
    const [one, two] = [await fingerprintOf('first'), await fingerprintOf('overlap')];
    expect(await registry.isCertificateRevoked(one)).toBe(false);

    const replaced = await dancu('pki', 'issue', 'vietbank-ekyc', '--dir', dir, '--out', join(dir, 'replaced'));
    expect(replaced.code, replaced.stderr).toBe(0);
    const three = await fingerprintOf('replaced');
    expect(replaced.stdout).toContain(`revoked      SHA-256 ${one} (system vietbank-ekyc)`);
    expect([
      await registry.isCertificateRevoked(one),
      await registry.isCertificateRevoked(two),
      await registry.isCertificateRevoked(three),
    ]).toEqual([true, true, false]);
    expect((await registry.findSystem('vietbank-ekyc'))?.certificateFingerprints).not.toContain(one);

    const [byFingerprint, noReason] = await Promise.all([
      dancu('pki', 'revoke', three.replaceAll(':', '').toLowerCase(), '--reason', 'test'),
      dancu('pki', 'revoke', 'vietbank-ekyc'),
    ]);
    expect(byFingerprint.code, byFingerprint.stderr).toBe(0);
    expect(await registry.isCertificateRevoked(three)).toBe(true);
    expect(noReason.code).toBe(2); // usage
    expect(noReason.stderr).toContain("required option '--reason <text>'");
  }, 90_000);

  it('the PKI directory is DANCU_PKI_DIR if set, else <DANCU_HOME>/pki', () => {
    expect(pkiDir({ DANCU_PKI_DIR: '/etc/dancu/pki', DANCU_HOME: '/var/lib/dancu' })).toBe('/etc/dancu/pki');
    expect(pkiDir({ DANCU_HOME: '/var/lib/dancu' })).toBe('/var/lib/dancu/pki');
  });
});

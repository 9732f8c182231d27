// The CLI's exit codes (cli/exit-code.ts, README "Exit codes"), as a script sees them: each
// failure family exits with its own code and says `dancu: <code>: <message>` on stderr.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, DANCU_BIN, officerPki, uniqueName } from './harness.ts';

const run = promisify(execFile);

describe('dancu exit codes', () => {
  const database = uniqueName('dancu_exit_codes');
  let pki: { dir: string; remove: () => Promise<void> };
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    pki = await officerPki('dancu-exit-codes', database);
    env = cliEnv({ DANCU_DB: database, DANCU_PKI_DIR: pki.dir });
  });

  afterAll(async () => {
    await pki?.remove();
  });

  async function dancu(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return run(process.execPath, [DANCU_BIN, ...args], { env: { ...env, ...extraEnv } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );
  }

  it('a registry command about a request that does not exist exits 4 (not found) and names it', async () => {
    const missing = await dancu(['registry', 'review', 'REQ-NOT-THERE', '--officer', 'c06-head', '--approve']);
    expect(missing.code, missing.stderr).toBe(4);
    expect(missing.stderr).toMatch(/^dancu: NOT_FOUND: .*REQ-NOT-THERE/m);
  });

  it('an operator read by someone who is not an authenticated officer exits 3 (refused)', async () => {
    const refused = await dancu(['citizen', 'show', '001090000001', '--officer', 'someone', '--reason', 'curious']);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('dancu: NOT_AN_OPERATOR: someone is not an authenticated officer');
    expect(refused.stdout).toBe('');
  });

  it('a malformed setting exits 2 (usage) with its code, and so does a command line commander rejects', async () => {
    const badBrokers = await dancu(['registry', 'requests', '--officer', 'c06-head'], { KAFKA_BROKERS: 'not an address' });
    expect(badBrokers.code, badBrokers.stderr).toBe(2);
    expect(badBrokers.stderr).toContain('dancu: endpoint-invalid: KAFKA_BROKERS must be a comma-separated list of host:port');
    const noReason = await dancu(['pki', 'revoke', 'vietbank-ekyc']);
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain("required option '--reason <text>'");
  });

  it('--help lists the exit codes', async () => {
    const help = await dancu(['--help']);
    expect(help.code).toBe(0);
    for (const line of ['2   usage', '3   refused', '4   not found', '69  unavailable (EX_UNAVAILABLE)', '75  try again (EX_TEMPFAIL)'])
      expect(help.stdout).toContain(line);
  });
});

// The SMS channel (R20) over SMPP: the test plays the carrier's SMS centre with node-smpp's server
// side on loopback; the gateway binds to it as the hub does. Citizens and their phone numbers come
// from the simulated registers through the hub's own apply step (the id-card register owns the number).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import type { PDU, Session } from 'smpp';
import smpp from 'smpp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulateEvents } from '../connectors/simulator/simulate-events.ts';
import type { CitizenDocument } from '../hub/citizen/citizen-document.ts';
import { applyEvents } from '../hub/ingest/apply-events.ts';
import { Journal } from '../hub/journal/journal.ts';
import { queryJournal } from '../hub/journal/query-journal.ts';
import { storePhoneRecords } from '../hub/sms/phone-records.ts';
import { SmsGateway, SmsGatewayError } from '../hub/sms/sms-gateway.ts';
import { answerSms, NOT_FOUND_ANSWER, RATE_LIMITED_ANSWER } from '../hub/sms/sms-lookup.ts';
import { SmsRateLimit } from '../hub/sms/sms-rate-limit.ts';
import { PopulationStore } from '../hub/store/population-store.ts';
import { makePersonalId } from '../schemas/personal-id.ts';
import { testEndpoints } from './endpoints.ts';
import { cliEnv, DANCU_BIN, uniqueName, waitFor } from './harness.ts';

const SHORT_CODE = '8088';

/** The carrier's SMS centre: accepts one account, delivers citizens' texts, keeps what the gateway sends. */
class TestSmsc {
  readonly sent: { to: string; text: string }[] = [];
  readonly acknowledged: { sequence: number; status: number }[] = [];
  private session: Session | undefined;
  private constructor(
    readonly server: Server,
    readonly port: number,
  ) {}

  static async start(account: { systemId: string; password: string }): Promise<TestSmsc> {
    let smsc: TestSmsc | undefined;
    const server = smpp.createServer((session) => {
      session.on('error', () => undefined);
      session.on('bind_transceiver', (pdu: PDU) => {
        if (pdu.system_id !== account.systemId || pdu.password !== account.password) {
          session.send(pdu.response({ command_status: smpp.ESME_RBINDFAIL }));
          session.close();
          return;
        }
        session.send(pdu.response());
        smsc!.session = session;
      });
      session.on('submit_sm', (pdu: PDU) => {
        const payload = pdu.message_payload ?? pdu.short_message;
        const text = payload && !Buffer.isBuffer(payload) ? String(payload.message) : '';
        smsc!.sent.push({ to: pdu.destination_addr ?? '', text });
        session.send(pdu.response({ message_id: String(smsc!.sent.length) }));
      });
      session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    smsc = new TestSmsc(server, (server.address() as AddressInfo).port);
    return smsc;
  }

  /** Whether the latest bind is still open. */
  boundTo(session: Session | undefined): boolean {
    return this.session !== undefined && this.session !== session;
  }

  get current(): Session | undefined {
    return this.session;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  /** A citizen's text (mobile originated), from an international number as carriers give it (84…). */
  async text(from: string, message: string): Promise<number> {
    const session = await waitFor('the gateway bound', async () => this.session, 10_000);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no deliver_sm_resp within 30 s for ${JSON.stringify(message)}`)), 30_000);
      session.deliver_sm(
        { source_addr: from, source_addr_ton: 1, source_addr_npi: 1, destination_addr: SHORT_CODE, short_message: message },
        (response) => {
          clearTimeout(timer);
          resolve(response.command_status);
        },
      );
    });
  }

  /** The answers sent to a number since `after` answers were sent in all. */
  answersTo(number: string, after: number): string[] {
    return this.sent
      .slice(after)
      .filter((sms) => sms.to === number)
      .map((sms) => sms.text);
  }

  async stop(): Promise<void> {
    this.session?.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('the SMS gateway against an SMS centre on loopback', () => {
  const database = uniqueName('dancu_sms');
  const account = { systemId: 'dancu-hub', password: 'secret-9' };
  let store: PopulationStore;
  let journal: Journal;
  let smsc: TestSmsc;
  let gateway: SmsGateway;
  let citizen: CitizenDocument;
  let neighbour: CitizenDocument;
  const carrierForm = (number: string) => number.slice(1); // +84912345678 → 84912345678

  beforeAll(async () => {
    store = await PopulationStore.open({ uri: testEndpoints().mongodbUri, database });
    await applyEvents(simulateEvents({ seed: 2020, citizens: 15 }), store);
    const ids = (await store.citizens.find({}, { projection: { _id: 1 } }).toArray()).map((document) => document._id);
    const withPhones = [...(await store.readCitizens(ids)).values()].filter(
      (document) => typeof document.fields.phoneNumber?.value === 'string' && document.fields.permanentAddress?.value,
    );
    [citizen, neighbour] = withPhones as [CitizenDocument, CitizenDocument];
    expect(neighbour).toBeDefined();
    expect(citizen.fields.phoneNumber).toMatchObject({ source: 'id-card', authoritative: true });
    journal = await Journal.open(store.db);
    smsc = await TestSmsc.start(account);
    const records = await storePhoneRecords(store);
    const limit = new SmsRateLimit({ perWindow: 4, windowMs: 3_600_000 });
    gateway = await SmsGateway.start({
      smsc: smsc.url,
      ...account,
      shortCode: SHORT_CODE,
      reconnectMs: 200,
      answer: (sms) => answerSms({ records, journal, limit, shortCode: SHORT_CODE }, sms),
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await smsc?.stop();
    await journal?.close();
    await store?.db.dropDatabase();
    await store?.close();
  });

  const lastEntry = async (personalId: string) => (await queryJournal(store.db, { citizen: personalId, act: 'sms', limit: 1 }))[0];

  it('R20: a citizen who texts "DC <personal id>" from the number on record is answered with their information, journaled', async () => {
    const from = carrierForm(String(citizen.fields.phoneNumber!.value));
    const before = smsc.sent.length;
    expect(await smsc.text(from, `dc  ${citizen._id}`)).toBe(0);
    const [answer] = smsc.answersTo(from, before);
    expect(answer).toContain(`Thông tin công dân ${citizen._id}`);
    expect(answer).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName!.value)}`);
    expect(answer).toContain('Ngày, tháng, năm sinh: ');
    expect(answer).toContain((citizen.fields.permanentAddress!.value as { province: string }).province);
    expect(answer).not.toContain('Nhóm máu');
    expect(await lastEntry(citizen._id)).toMatchObject({
      act: 'sms',
      action: 'SmsLookup',
      decision: 'allowed',
      actor: { system: 'sms-gateway', citizen: citizen._id },
      fields: ['fullName', 'dateOfBirth', 'sex', 'permanentAddress'],
    });
    // The journal keeps no phone number, only enough of it to follow a flood.
    expect(JSON.stringify(await lastEntry(citizen._id))).not.toContain(from.slice(2));
  });

  it("R20: an unregistered number, an unknown citizen and someone else's number all get the prescribed answer, each journaled with its reason", async () => {
    const own = carrierForm(String(citizen.fields.phoneNumber!.value));
    const nobody = makePersonalId('079', 'male', 1985, 424242);
    const unregistered = '84399999999';
    const before = smsc.sent.length;
    await smsc.text(unregistered, `DC ${citizen._id}`);
    await smsc.text(own, `DC ${nobody}`);
    await smsc.text(own, `DC ${neighbour._id}`);
    expect(smsc.answersTo(unregistered, before)).toEqual([NOT_FOUND_ANSWER]);
    expect(smsc.answersTo(own, before)).toEqual([NOT_FOUND_ANSWER, NOT_FOUND_ANSWER]);
    expect(smsc.sent.slice(before).join('')).not.toContain(String(neighbour.fields.fullName!.value));
    expect(await lastEntry(citizen._id)).toMatchObject({ decision: 'refused', reason: 'SMS_NUMBER_UNREGISTERED' });
    expect(await lastEntry(nobody)).toMatchObject({ decision: 'refused', reason: 'SMS_CITIZEN_NOT_FOUND' });
    expect(await lastEntry(neighbour._id)).toMatchObject({ decision: 'refused', reason: 'SMS_NUMBER_NOT_CITIZENS' });
  });

  it('R20: a text not in the prescribed syntax is answered with the syntax', async () => {
    const from = carrierForm(String(neighbour.fields.phoneNumber!.value));
    const before = smsc.sent.length;
    await smsc.text(from, 'xin chao');
    expect(smsc.answersTo(from, before)).toEqual([`Sai cú pháp. Soạn tin: DC <số định danh cá nhân 12 chữ số> gửi ${SHORT_CODE}.`]);
  });

  it('R20, R22: lookups are rate-limited per number: past the limit one notice, then silence, all journaled; other numbers are still served', async () => {
    const flooder = '84388888888';
    const before = smsc.sent.length;
    for (let n = 0; n < 7; n += 1) expect(await smsc.text(flooder, `DC ${neighbour._id}`)).toBe(0);
    expect(smsc.answersTo(flooder, before)).toEqual([...Array(4).fill(NOT_FOUND_ANSWER), RATE_LIMITED_ANSWER]);
    const entries = await queryJournal(store.db, { citizen: neighbour._id, act: 'sms', limit: 7 });
    expect(entries.filter((entry) => entry.reason === 'SMS_RATE_LIMITED')).toHaveLength(3);
    const from = carrierForm(String(neighbour.fields.phoneNumber!.value));
    const afterFlood = smsc.sent.length;
    await smsc.text(from, `DC ${neighbour._id}`);
    expect(smsc.answersTo(from, afterFlood)[0]).toContain(`Thông tin công dân ${neighbour._id}`);
  });

  it('R20: a gateway with the wrong SMPP account is refused by the SMS centre, with a sentence saying what to check', async () => {
    const refused = await SmsGateway.start({
      smsc: smsc.url,
      systemId: account.systemId,
      password: 'wrong',
      shortCode: SHORT_CODE,
      answer: async () => ({ reply: null, outcome: 'SMS_SYNTAX' }),
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(SmsGatewayError);
    expect(String(refused)).toContain('refused to bind system id dancu-hub');
  });

  it('R20: when the SMS centre closes the session, the gateway binds again and answers', async () => {
    const old = smsc.current;
    old?.close();
    await waitFor('the gateway to bind again', async () => smsc.boundTo(old), 10_000);
    const from = carrierForm(String(citizen.fields.phoneNumber!.value));
    const sent = smsc.sent.length;
    expect(await smsc.text(from, `DC ${citizen._id}`)).toBe(0);
    expect(smsc.answersTo(from, sent)[0]).toContain(`Thông tin công dân ${citizen._id}`);
  });

  it('R20: `dancu sms-gateway` runs as its own process bound to the SMSC, answers, and stops on SIGTERM; without DANCU_SMSC_PASSWORD it refuses to start', async () => {
    const args = [DANCU_BIN, 'sms-gateway', '--smsc', smsc.url, '--system-id', account.systemId, '--short-code', SHORT_CODE];
    const missing = spawnSync(process.execPath, args, { env: cliEnv({ DANCU_DB: database, DANCU_SMSC_PASSWORD: '' }), encoding: 'utf8' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('set DANCU_SMSC_PASSWORD');

    const before = smsc.current;
    const child = spawn(process.execPath, args, {
      env: cliEnv({ DANCU_DB: database, DANCU_SMSC_PASSWORD: account.password }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(child, 'exit') as Promise<[number | null]>;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await waitFor(
        'the CLI gateway to bind',
        async () => {
          if (child.exitCode !== null) throw new Error(`dancu sms-gateway exited ${child.exitCode}: ${stderr}`);
          return stderr.includes('sms-gateway bound to') && smsc.boundTo(before);
        },
        60_000,
      );
      const from = carrierForm(String(citizen.fields.phoneNumber!.value));
      const sent = smsc.sent.length;
      expect(await smsc.text(from, `DC ${citizen._id}`)).toBe(0);
      expect(smsc.answersTo(from, sent)[0]).toContain(`Họ, chữ đệm và tên: ${String(citizen.fields.fullName!.value)}`);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    expect(code, stderr).toBe(0);
  });
});

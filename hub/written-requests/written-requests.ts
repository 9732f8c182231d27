// The written-request procedure's use cases (R19, R11, R17): register what arrived on the
// template, record the services chosen with the agreed delivery time, deliver the Form 01 notice,
// or refuse in writing. Every step is journaled (act `written-request`), refusals of a step
// included, and the notice leaves only once the entry that records its delivery is durable.
// The notice holds exactly what the exchange would disclose: the citizen named by personal id,
// full name and date of birth together (else "not found", without saying which part failed),
// projected to the chosen fields (hub/exchange/citizen-view.ts).
import type { Collection, Db } from 'mongodb';
import type { CitizenField } from '../citizen/fields.ts';
import type { CitizenReader } from '../exchange/citizen-cache.ts';
import { matchesKey, project } from '../exchange/citizen-view.ts';
import type { JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import { mayDecide } from '../registry/competent-authority.ts';
import { orInvalid, RegistryError } from '../registry/registry-error.ts';
import { insertOnce, type RegistryCollections, registryCollections } from '../registry/registry-store.ts';
import { decisionDeadline, loadCalendar, type WorkingCalendar } from '../registry/working-days.ts';
import { digestOf, type NoticeCitizen, renderForm01, renderRefusalLetter } from './form-01.ts';
import {
  checkChosenServices,
  checkWrittenRequest,
  isWrittenRequestOverdue,
  nextWrittenStatus,
  type WrittenRequestAction,
  type WrittenRequestRecord,
  type WrittenRequestStatus,
} from './written-request.ts';

/** A request as listed: its record and whether it is late (undecided past R11, or past the agreed delivery). */
export type WrittenRequestView = Omit<WrittenRequestRecord, 'revision'> & { overdue: boolean };

/** A step's written answer: the PDF and the request after it. */
export interface WrittenAnswer {
  request: WrittenRequestView;
  pdf: Buffer;
}

export interface WrittenRequestsOptions {
  calendar?: WorkingCalendar;
  now?: () => Date;
}

interface StepClaim {
  _id: string;
  status: WrittenRequestStatus;
  officer: string;
  at: Date;
}

type Entry = Pick<JournalEntryInput, 'citizens' | 'fields'> & { detail?: string };

const ID = /^[A-Za-z0-9._/-]{1,64}$/;

export class WrittenRequests {
  private readonly requests: Collection<WrittenRequestRecord>;
  private readonly steps: Collection<StepClaim>;
  private readonly registry: RegistryCollections;

  constructor(
    db: Db,
    private readonly citizens: Pick<CitizenReader, 'readCitizen'>,
    private readonly journal: JournalWriter,
    private readonly options: WrittenRequestsOptions = {},
  ) {
    this.requests = db.collection<WrittenRequestRecord>('written_requests');
    this.steps = db.collection<StepClaim>('written_request_steps');
    this.registry = registryCollections(db);
  }

  private readonly calendar = () => (this.options.calendar ??= loadCalendar());
  private now(): Date {
    return this.options.now?.() ?? new Date();
  }

  /** Records a request as received on the template; it is due for a decision in 3 working days (R11). `id` is the dossier number. */
  async register(id: string, input: unknown, officerId: string): Promise<WrittenRequestView> {
    return this.act('register', id, officerId, async (entry) => {
      if (!ID.test(id))
        throw new RegistryError(
          'INVALID',
          `a written request's id is 1–64 letters, digits, . _ / or -, not ${JSON.stringify(id.slice(0, 80))}`,
        );
      await this.requireOfficer(officerId);
      entry.citizens = personalIdsNamedIn(input);
      const template = orInvalid(checkWrittenRequest(input), 'written request');
      Object.assign(entry, {
        citizens: template.citizens.map((c) => c.personalId),
        fields: template.servicesWanted,
        detail: `from ${template.requester.category} ${template.requester.name}`,
      });
      const receivedAt = this.now();
      const record: WrittenRequestRecord = {
        _id: id,
        status: 'received',
        template,
        receivedAt,
        decisionDeadline: decisionDeadline(receivedAt, this.calendar()),
        history: [{ status: 'received', at: receivedAt, officer: officerId }],
        revision: 1,
      };
      const outcome = await insertOnce(this.requests, record, (doc) => doc.template);
      if (outcome === 'taken') throw new RegistryError('CONFLICT', `written request ${id} is already registered with other contents`);
      return this.view(outcome === 'inserted' ? record : await this.require(id));
    });
  }

  /** R19: the services the requester chose with the officer's guidance, and the delivery time they agreed. */
  async chooseServices(id: string, officerId: string, chosen: unknown, deliverBy: Date): Promise<WrittenRequestView> {
    return this.act('choose-services', id, officerId, async (entry) => {
      const record = await this.competent(id, officerId, entry);
      const services = orInvalid(checkChosenServices(record.template, chosen), 'chosen services');
      entry.fields = services;
      if (Number.isNaN(deliverBy.getTime()) || deliverBy <= this.now())
        throw new RegistryError('INVALID', 'the agreed delivery time must lie in the future');
      entry.detail = `deliver by ${deliverBy.toISOString()}`;
      return this.view(await this.step(record, 'choose', officerId, { chosenServices: services, deliverBy }));
    });
  }

  /**
   * Delivers the chosen services as one Form 01 notice. The request records the notice's digest;
   * the PDF is handed back only after the delivery's journal entry is durable.
   */
  async deliver(id: string, officerId: string): Promise<WrittenAnswer> {
    let pdf: Buffer = Buffer.alloc(0);
    const request = await this.act('deliver', id, officerId, async (entry) => {
      const record = await this.competent(id, officerId, entry);
      if (nextWrittenStatus(record.status, 'deliver') === null)
        throw new RegistryError(
          'INVALID_TRANSITION',
          `cannot deliver ${id}: it is ${record.status}${record.status === 'received' ? ' (choose the services first)' : ''}`,
        );
      const fields = record.chosenServices ?? [];
      entry.fields = fields;
      const issuedAt = this.now();
      const citizens = await Promise.all(record.template.citizens.map((key) => this.noticeCitizen(key, fields)));
      pdf = await renderForm01({ reference: id, requester: record.template.requester.name, issuedAt, issuedBy: officerId, citizens });
      const noticeSha256 = digestOf(pdf);
      entry.detail = `Form 01 notice sha256 ${noticeSha256}; ${citizens.filter((c) => c.fields === 'not-found').length} of ${citizens.length} citizens not found`;
      return this.view(await this.step(record, 'deliver', officerId, { noticeSha256 }));
    });
    return { request, pdf };
  }

  /** R11, R19: a refusal is a letter with the reason; the reason is required. */
  async refuse(id: string, officerId: string, reason: string): Promise<WrittenAnswer> {
    let pdf: Buffer = Buffer.alloc(0);
    const request = await this.act('refuse', id, officerId, async (entry) => {
      const record = await this.competent(id, officerId, entry);
      const why = reason.normalize('NFC').trim();
      if (why === '') throw new RegistryError('REASON_REQUIRED', `to refuse ${id} the officer must give a written reason (R11, R19)`);
      if (why.length > 2000) throw new RegistryError('INVALID', 'a reason is at most 2000 characters');
      entry.detail = `refused: ${why}`;
      const after = await this.step(record, 'refuse', officerId, {}, why);
      pdf = await renderRefusalLetter({
        reference: id,
        requester: record.template.requester.name,
        issuedAt: after.history.at(-1)!.at,
        issuedBy: officerId,
        reason: why,
      });
      return this.view(after);
    });
    return { request, pdf };
  }

  /** Requests newest first; `overdue` only those late (undecided past R11, or past the agreed delivery). */
  async list(filter: { status?: WrittenRequestStatus; overdue?: boolean } = {}): Promise<WrittenRequestView[]> {
    const records = await this.requests.find(filter.status ? { status: filter.status } : {}).toArray();
    const views = records.sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime()).map((record) => this.view(record));
    return filter.overdue ? views.filter((view) => view.overdue) : views;
  }

  async get(id: string): Promise<WrittenRequestView> {
    return this.view(await this.require(id));
  }

  /** How many requests are late now, for the hub's metric. */
  async countOverdue(): Promise<number> {
    const open = await this.requests.find({ status: { $in: ['received', 'guided'] } }).toArray();
    const now = this.now();
    return open.filter((record) => isWrittenRequestOverdue(record, now)).length;
  }

  // --- internals ----------------------------------------------------------------------------

  private async noticeCitizen(key: WrittenRequestRecord['template']['citizens'][number], fields: CitizenField[]): Promise<NoticeCitizen> {
    const document = await this.citizens.readCitizen(key.personalId);
    return { personalId: key.personalId, fields: matchesKey(document, key) ? project(document, fields) : 'not-found' };
  }

  /** Runs one step and journals it: `done`, or `refused` with the rule's code and sentence. */
  private async act<T>(action: string, id: string, officerId: string, body: (entry: Entry) => Promise<T>): Promise<T> {
    const entry: Entry = { citizens: [], fields: [] };
    const base = { act: 'written-request' as const, action, actor: { officer: officerId }, caseReference: id };
    let result: T;
    try {
      result = await body(entry);
    } catch (error) {
      if (error instanceof RegistryError)
        await this.journal.append({ ...base, ...entry, decision: 'refused', reason: error.code, detail: error.message });
      throw error;
    }
    await this.journal.append({ ...base, ...entry, decision: 'done' });
    return result;
  }

  private async requireOfficer(officerId: string) {
    const officer = await this.registry.officers.findOne({ _id: officerId });
    if (officer === null)
      throw new RegistryError('NOT_FOUND', `no officer ${officerId}: register them with \`dancu registry officer add\``);
    return officer;
  }

  /** The request, once the officer is known to be the competent authority for its requester (R17). */
  private async competent(id: string, officerId: string, entry: Entry): Promise<WrittenRequestRecord> {
    const record = await this.require(id);
    entry.citizens = record.template.citizens.map((c) => c.personalId);
    entry.fields = record.chosenServices ?? record.template.servicesWanted;
    const officer = await this.requireOfficer(officerId);
    const { category, locality } = record.template.requester;
    if (!mayDecide(officer, { category, locality })) {
      throw new RegistryError(
        'NOT_COMPETENT',
        `officer ${officerId} (${officer.level}) may not decide for a ${category} in ${JSON.stringify(locality)} (R17)`,
      );
    }
    return record;
  }

  /** One lifecycle step; the claim on the request's next revision decides between officers acting at once. */
  private async step(
    record: WrittenRequestRecord,
    action: WrittenRequestAction,
    officerId: string,
    set: Partial<WrittenRequestRecord>,
    reason?: string,
  ): Promise<WrittenRequestRecord> {
    const to = nextWrittenStatus(record.status, action);
    if (to === null) throw new RegistryError('INVALID_TRANSITION', `cannot ${action} ${record._id}: it is ${record.status}`);
    const at = this.now();
    const claim: StepClaim = { _id: `${record._id}#${record.revision + 1}`, status: to, officer: officerId, at };
    if ((await insertOnce(this.steps, claim)) === 'taken')
      throw new RegistryError('CONFLICT', `${record._id} changed while officer ${officerId} was deciding: read it again`);
    const history = [...record.history, { status: to, at, officer: officerId, ...(reason ? { reason } : {}) }];
    const changes = { ...set, status: to, revision: record.revision + 1, history };
    await this.requests.updateOne({ _id: record._id }, { $set: changes });
    return { ...record, ...changes };
  }

  private async require(id: string): Promise<WrittenRequestRecord> {
    const record = await this.requests.findOne({ _id: id });
    if (record === null) throw new RegistryError('NOT_FOUND', `no written request ${id}`);
    return record;
  }

  private view(record: WrittenRequestRecord): WrittenRequestView {
    const { revision: _revision, ...rest } = record;
    return { ...rest, overdue: isWrittenRequestOverdue(record, this.now()) };
  }
}

/** The well-formed personal ids a (possibly malformed) template names, so a refused registration still says whose data it was about. */
function personalIdsNamedIn(input: unknown): string[] {
  const citizens = (input as { citizens?: unknown } | null)?.citizens;
  if (!Array.isArray(citizens)) return [];
  return citizens.flatMap((citizen: unknown) => {
    const id = (citizen as { personalId?: unknown } | null)?.personalId;
    return typeof id === 'string' && /^[0-9]{12}$/.test(id) ? [id] : [];
  });
}

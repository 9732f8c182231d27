// A citizen's lookup by SMS (R20; draft circular Điều 7 khoản 2): the citizen texts the prescribed
// syntax from the mobile number on record; the hub checks the number against the record and
// answers with the information SMS may carry, or says "the number or the citizen does not exist".
//
// The law leaves the syntax to the agency (C06) and prescribes no other answer, so:
//   DC <personal id>        e.g. "DC 001090012345" (case and spacing do not matter)
// An unregistered number, an unknown citizen and someone else's number all get the same sentence,
// the law's own words: answering them apart would tell anyone with a phone whether a personal id
// exists, or whose a number is. The journal (act `sms`) tells them apart for operators.
// The answer always goes back to the sending number: a forged sender gets nothing, the real
// holder of the number does.

import { checkPersonalId } from '../../schemas/personal-id.ts';
import { internationalMobile } from '../../schemas/phone-number.ts';
import type { CitizenDocument } from '../citizen/citizen-document.ts';
import { FIELD_LABELS_VI, formatFieldValue } from '../citizen/field-labels.ts';
import type { CitizenField } from '../citizen/fields.ts';
import { project } from '../exchange/citizen-view.ts';
import type { JournalEntryInput, JournalWriter } from '../journal/journal-entry.ts';
import type { SmsRateLimit } from './sms-rate-limit.ts';

/** What an SMS answer may carry: identity and permanent residence, nothing more sensitive. */
export const SMS_FIELDS: readonly CitizenField[] = ['fullName', 'dateOfBirth', 'sex', 'permanentAddress'];

export const SMS_KEYWORD = 'DC';
const SYNTAX = /^\s*DC\s+([0-9]{12})\s*$/iu;

/** The law's answer when the number or the citizen does not check out (Điều 7 khoản 2 điểm b). */
export const NOT_FOUND_ANSWER = 'Số điện thoại hoặc công dân không tồn tại.';
export const RATE_LIMITED_ANSWER = 'Bạn đã gửi quá nhiều tin nhắn tra cứu. Vui lòng thử lại sau.';
export const syntaxAnswer = (shortCode: string) =>
  `Sai cú pháp. Soạn tin: ${SMS_KEYWORD} <số định danh cá nhân 12 chữ số> gửi ${shortCode}.`;

export type SmsOutcome =
  | 'ANSWERED'
  | 'SMS_SYNTAX'
  | 'SMS_NUMBER_UNREGISTERED'
  | 'SMS_CITIZEN_NOT_FOUND'
  | 'SMS_NUMBER_NOT_CITIZENS'
  | 'SMS_RATE_LIMITED';

/** Where the gateway reads: a citizen by personal id, and whether a number is on anyone's record. */
export interface PhoneRecords {
  readCitizen(personalId: string): Promise<CitizenDocument | null>;
  /** Whether some citizen's current phone number is this one. */
  isRegistered(phoneNumber: string): Promise<boolean>;
}

export interface SmsLookupDependencies {
  records: PhoneRecords;
  journal: JournalWriter;
  limit: SmsRateLimit;
  /** The number citizens text (the answer names it in the syntax help). */
  shortCode: string;
}

export interface IncomingSms {
  /** The sender as the carrier's SMS centre gives it (84…, 0…, +84…). */
  from: string;
  text: string;
}

/** The answer to send back to the sender (null: send nothing) and how the message was judged. */
export interface SmsAnswer {
  reply: string | null;
  outcome: SmsOutcome;
}

/** The personal id the text asks about, or null when it is not the prescribed syntax. */
export function parseSms(text: string): string | null {
  const personalId = SYNTAX.exec(text.normalize('NFC'))?.[1];
  return personalId !== undefined && checkPersonalId(personalId).length === 0 ? personalId : null;
}

/** The phone number as the journal keeps it: enough to follow a flood, not enough to call. */
export function maskedNumber(number: string): string {
  return number.length > 6 ? `${number.slice(0, 3)}…${number.slice(-3)}` : '…';
}

/** Judges one SMS, journals it, and returns the answer; nothing is answered before the entry is durable. */
export async function answerSms(deps: SmsLookupDependencies, sms: IncomingSms): Promise<SmsAnswer> {
  const sender = internationalMobile(sms.from);
  const personalId = parseSms(sms.text);
  const entry: JournalEntryInput = {
    act: 'sms',
    action: 'SmsLookup',
    actor: { system: 'sms-gateway' },
    citizens: personalId ? [personalId] : [],
    fields: [...SMS_FIELDS],
    decision: 'refused',
    detail: `from ${maskedNumber(sender ?? sms.from.slice(0, 20))}`,
  };
  const judged = await judge(deps, sender, personalId);
  if (judged.outcome === 'ANSWERED') {
    entry.decision = 'allowed';
    entry.actor.citizen = personalId!;
  } else {
    entry.reason = judged.outcome;
  }
  await deps.journal.append(entry);
  return judged;
}

async function judge(deps: SmsLookupDependencies, sender: string | null, personalId: string | null): Promise<SmsAnswer> {
  // Counted before anything is read: a flood costs the store nothing.
  const admitted = deps.limit.admit(sender ?? 'invalid-sender');
  if (admitted !== 'admitted') return { outcome: 'SMS_RATE_LIMITED', reply: admitted === 'first-refusal' ? RATE_LIMITED_ANSWER : null };
  if (sender === null) return { outcome: 'SMS_NUMBER_UNREGISTERED', reply: NOT_FOUND_ANSWER };
  if (personalId === null) return { outcome: 'SMS_SYNTAX', reply: syntaxAnswer(deps.shortCode) };
  const citizen = await deps.records.readCitizen(personalId);
  if (citizen !== null && citizen.fields.phoneNumber?.value === sender) return { outcome: 'ANSWERED', reply: describe(citizen) };
  // Told apart for the journal only; the sender gets the same sentence.
  if (!(await deps.records.isRegistered(sender))) return { outcome: 'SMS_NUMBER_UNREGISTERED', reply: NOT_FOUND_ANSWER };
  if (citizen === null) return { outcome: 'SMS_CITIZEN_NOT_FOUND', reply: NOT_FOUND_ANSWER };
  return { outcome: 'SMS_NUMBER_NOT_CITIZENS', reply: NOT_FOUND_ANSWER };
}

function describe(citizen: CitizenDocument): string {
  const lines = project(citizen, SMS_FIELDS).map(
    (field) => `${FIELD_LABELS_VI[field.field]}: ${formatFieldValue(field.field, field.value)}`,
  );
  return [`Thông tin công dân ${citizen._id}`, ...lines].join('\n');
}

// The SMS gateway (R20): an SMPP client (ESME) bound as transceiver to the carrier's SMS centre
// (SMSC). Citizens' messages to the short code arrive as deliver_sm; each is judged and journaled
// (sms-lookup.ts), its answer sent back to the sender as submit_sm, and only then acknowledged, so
// a message whose journal entry could not be written is acknowledged with a temporary error and
// the SMSC delivers it again. Uses npm `smpp` (node-smpp, SMPP v3.4/v5.0).

import type { PDU, Session } from 'smpp';
import smpp from 'smpp';
import { DancuError } from '../../errors/dancu-error.ts';
import type { IncomingSms, SmsAnswer } from './sms-lookup.ts';

export interface SmsGatewayOptions {
  /** The SMSC: smpp://host:port, or ssmpp://host:port for SMPP over TLS. */
  smsc: string;
  /** The account the carrier gave the hub: the SMSC authenticates the gateway by it. */
  systemId: string;
  password: string;
  /** The number citizens text; answers come from it. */
  shortCode: string;
  answer: (sms: IncomingSms) => Promise<SmsAnswer>;
  log?: (line: string) => void;
  /** How long to wait before binding again after the SMSC closed the session (default 5 s). */
  reconnectMs?: number;
  /** Keep-alive enquire_link period (default 30 s). */
  enquireLinkMs?: number;
}

export type SmsGatewayErrorCode =
  /** The SMSC does not answer: it may later (the gateway binds again by itself once bound). */
  | 'smsc-unreachable'
  /** The SMSC refused the account: the carrier's system id or password is wrong. */
  | 'bind-refused'
  /** The SMSC refused an answer to a citizen. */
  | 'answer-refused';

export class SmsGatewayError extends DancuError<SmsGatewayErrorCode> {
  override readonly name = 'SmsGatewayError';

  constructor(
    readonly code: SmsGatewayErrorCode,
    message: string,
  ) {
    super(message);
  }

  get retryable(): boolean {
    return this.code === 'smsc-unreachable';
  }
}

const TON_NETWORK_SPECIFIC = 3; // a short code is a network-specific address

export class SmsGateway {
  private session: Session | undefined;
  private stopping = false;
  private reconnect: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  private constructor(private readonly options: SmsGatewayOptions) {}

  /** Binds to the SMSC; rejects with the reason when the first bind fails (wrong account, SMSC unreachable). */
  static async start(options: SmsGatewayOptions): Promise<SmsGateway> {
    const gateway = new SmsGateway(options);
    await gateway.bind();
    return gateway;
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => console.error(text)))(`sms-gateway: ${line}`);
  }

  private bind(): Promise<void> {
    return new Promise((resolve, reject) => {
      let bound = false;
      const session = smpp.connect({ url: this.options.smsc, auto_enquire_link_period: this.options.enquireLinkMs ?? 30_000 });
      this.session = session;
      session.on('error', (error: Error) => {
        if (!bound) reject(new SmsGatewayError('smsc-unreachable', `cannot reach the SMSC at ${this.options.smsc}: ${error.message}`));
        else this.log(`SMSC session error: ${error.message}`);
      });
      session.on('close', () => {
        if (bound && !this.stopping) {
          this.log(`the SMSC closed the session; binding again in ${(this.options.reconnectMs ?? 5_000) / 1000} s`);
          this.scheduleReconnect();
        }
      });
      session.on('connect', () => {
        session.bind_transceiver(
          { system_id: this.options.systemId, password: this.options.password, system_type: 'dancu' },
          (response) => {
            if (response.command_status !== 0) {
              reject(
                new SmsGatewayError(
                  'bind-refused',
                  `the SMSC at ${this.options.smsc} refused to bind system id ${this.options.systemId} (SMPP status 0x${response.command_status.toString(16)}): check the account and password the carrier gave`,
                ),
              );
              session.close();
              return;
            }
            bound = true;
            resolve();
          },
        );
      });
      session.on('deliver_sm', (pdu: PDU) => this.track(this.received(session, pdu)));
      session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
    });
  }

  private scheduleReconnect(): void {
    this.reconnect = setTimeout(() => {
      this.bind().catch((error: unknown) => {
        this.log(error instanceof Error ? error.message : String(error));
        if (!this.stopping) this.scheduleReconnect();
      });
    }, this.options.reconnectMs ?? 5_000);
    this.reconnect.unref();
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /** One message from the SMSC: a citizen's text, or a delivery receipt of an answer we sent. */
  private async received(session: Session, pdu: PDU): Promise<void> {
    try {
      if (((pdu.esm_class ?? 0) & smpp.ESM_CLASS.MC_DELIVERY_RECEIPT) !== 0) {
        session.send(pdu.response());
        return;
      }
      const answer = await this.options.answer({ from: pdu.source_addr ?? '', text: textOf(pdu) });
      if (answer.reply !== null) await this.send(session, pdu, answer.reply);
      session.send(pdu.response());
    } catch (error) {
      // Not journaled, or the answer could not be sent: the SMSC keeps the message and tries again.
      this.log(`message not handled, the SMSC will deliver it again: ${error instanceof Error ? error.message : String(error)}`);
      session.send(pdu.response({ command_status: smpp.ESME_RX_T_APPN }));
    }
  }

  /** The answer, to the sending number only; long texts travel whole in message_payload. */
  private send(session: Session, to: PDU, text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      session.submit_sm(
        {
          source_addr: this.options.shortCode,
          source_addr_ton: TON_NETWORK_SPECIFIC,
          destination_addr: to.source_addr,
          dest_addr_ton: to.source_addr_ton ?? 0,
          dest_addr_npi: to.source_addr_npi ?? 0,
          message_payload: text,
        },
        (response) =>
          response.command_status === 0
            ? resolve()
            : reject(
                new SmsGatewayError(
                  'answer-refused',
                  `the SMSC refused the answer (SMPP status 0x${response.command_status.toString(16)})`,
                ),
              ),
      );
    });
  }

  /** Unbinds after the messages in hand are answered; bounded, whatever the SMSC does. */
  async stop(timeoutMs = 5_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnect);
    const session = this.session;
    const settle = Promise.allSettled([...this.inFlight]).then(
      () =>
        new Promise<void>((resolve) => {
          if (!session) return resolve();
          session.once('close', () => resolve());
          session.unbind({}, () => session.close());
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([settle, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
    session?.destroy();
  }
}

/** The text of a deliver_sm, in short_message or message_payload, decoded by its data coding. */
function textOf(pdu: PDU): string {
  const field = pdu.message_payload ?? pdu.short_message;
  const message = field && !Buffer.isBuffer(field) ? field.message : field;
  return message === undefined ? '' : Buffer.isBuffer(message) ? message.toString('latin1') : message;
}

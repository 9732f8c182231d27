// The part of npm `smpp` (farhadi/node-smpp, SMPP v3.4/v5.0) that dancu uses; the package ships no types.
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server } from 'node:net';

  /** A decoded message: the text, and the user data header when there was one. */
  export interface SmppMessage {
    message: string | Buffer;
    udh?: Buffer[];
  }

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    system_id?: string;
    password?: string;
    source_addr?: string;
    source_addr_ton?: number;
    source_addr_npi?: number;
    destination_addr?: string;
    esm_class?: number;
    data_coding?: number;
    short_message?: SmppMessage | Buffer;
    message_payload?: SmppMessage | Buffer;
    message_id?: string;
    [parameter: string]: unknown;
    response(options?: Record<string, unknown>): PDU;
    isResponse(): boolean;
  }

  export interface Session extends EventEmitter {
    send(pdu: PDU, responseCallback?: (response: PDU) => void, sendCallback?: () => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, unknown>, callback?: (response: PDU) => void): boolean;
    submit_sm(options: Record<string, unknown>, callback?: (response: PDU) => void): boolean;
    deliver_sm(options: Record<string, unknown>, callback?: (response: PDU) => void): boolean;
    unbind(options?: Record<string, unknown>, callback?: (response: PDU) => void): boolean;
    enquire_link(options?: Record<string, unknown>, callback?: (response: PDU) => void): boolean;
  }

  export interface ConnectOptions {
    url?: string;
    auto_enquire_link_period?: number;
    debug?: boolean;
    connectTimeout?: number;
  }

  /** The package is CommonJS and sets most of its exports in a loop: import its default (module.exports). */
  interface Smpp {
    connect(options: ConnectOptions | string, callback?: () => void): Session;
    createServer(listener: (session: Session) => void): Server;
    createServer(options: Record<string, unknown>, listener: (session: Session) => void): Server;
    ESME_ROK: number;
    ESME_RBINDFAIL: number;
    ESME_RINVPASWD: number;
    ESME_RTHROTTLED: number;
    ESME_RSYSERR: number;
    /** Temporary application error: the SMSC keeps the message and delivers it again. */
    ESME_RX_T_APPN: number;
    ESM_CLASS: { MC_DELIVERY_RECEIPT: number; [name: string]: number };
  }

  const smpp: Smpp;
  export default smpp;
}

/**
 * The guide's msgCallback events. A listener that throws must never break a session, so every call
 * goes through `safeCall`.
 */
export const XP2PEventEnum = Object.freeze({ Notify: 'notify', Log: 'log' } as const);

export const XP2PNotify_SubType = Object.freeze({
  Request: 'request',
  Parsed: 'parsed',
  Close: 'close',
  Eof: 'eof',
  Disconnect: 'disconnect',
  Connected: 'connected',
  /** ours: a full camera's live view goes on as its 1vN stream ({stream, reason}; one-to-one/service/one-to-many-switch.ts) */
  SwitchedToOneToMany: 'switchedToOneToMany',
} as const);
export type NotifySubtype = (typeof XP2PNotify_SubType)[keyof typeof XP2PNotify_SubType];

export type MsgCallback = (event: string, subtype: string, detail?: unknown) => void;
export type DataCallback = (data: ArrayBuffer) => void;

export interface ServiceCallbacks {
  msgCallback?: MsgCallback;
  dataCallback?: DataCallback;
}

export { safeCall } from './safe-call.js';

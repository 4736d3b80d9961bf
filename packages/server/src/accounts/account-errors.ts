/** Refusals of the accounts store, each with the HTTP status the admin API and the CLI report. */
export type AccountErrorKind = 'not-found' | 'exists' | 'invalid';

const STATUS: Record<AccountErrorKind, number> = { 'not-found': 404, exists: 409, invalid: 400 };

/** A refused accounts operation (unknown name, duplicate, invalid value), with the HTTP status it maps to. */
export class AccountError extends Error {
  readonly kind: AccountErrorKind;
  readonly status: number;
  constructor(kind: AccountErrorKind, message: string) {
    super(message);
    this.name = 'AccountError';
    this.kind = kind;
    this.status = STATUS[kind];
  }
}

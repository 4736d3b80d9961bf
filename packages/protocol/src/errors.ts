/**
 * The guide's error codes (xp2p-plugin-guide, "错误码 说明"), one typed table.
 * Numbers and meanings are kept exactly so code written for the reference plugin ports over.
 */
export const ErrorCode = {
  OK: 0,
  PARAM_ERROR: -2000,
  XP2P_INFO_ERROR: -2001,
  NOT_INITIALISED: -2002,
  ALREADY_INITIALISED: -2003,
  UNSUPPORTED_OPERATION: -2004,
  DEVICE_VERSION_TOO_LOW: -2005,
  XNTP_ALREADY_STARTED: -2201,
  PROBE_ERROR: -2202,
  LOCAL_SERVER_ERROR: -2301,
  SERVICE_ALREADY_STARTED: -2401,
  START_STREAM_FAILED: -2402,
  SERVICE_NOT_STARTED: -2403,
  P2P_UNSUPPORTED: -2404,
  ENCRYPT_FAILED: -2501,
  DECRYPT_FAILED: -2502,
  VOICE_START_FAILED: -2601,
  DOWNLOAD_FAILED: -2701,
} as const;

export type ErrorCodeName = keyof typeof ErrorCode;
export type ErrorCodeValue = (typeof ErrorCode)[ErrorCodeName];

/** Human-readable meaning of every code (the guide's table, in English). */
export const errorMessages: Readonly<Record<ErrorCodeValue, string>> = Object.freeze({
  0: 'success',
  [-2000]: 'invalid parameters',
  [-2001]: 'could not parse xp2pInfo',
  [-2002]: 'module not initialised (call init first)',
  [-2003]: 'module already initialised',
  [-2004]: 'unsupported operation',
  [-2005]: 'device p2p version too low (needs 2.3.0 or later)',
  [-2201]: 'XNTP module already started',
  [-2202]: 'NAT probe failed',
  [-2301]: 'could not start the local server',
  [-2401]: 'p2p service already started for this id',
  [-2402]: 'could not start the stream',
  [-2403]: 'p2p service not started for this id',
  [-2404]: 'p2p is not supported in this environment',
  [-2501]: 'data encryption failed',
  [-2502]: 'data decryption failed',
  [-2601]: 'could not start talkback',
  [-2701]: 'file download failed',
});

/** An error that carries one of the guide's codes; `errcode`/`errmsg` match the reference plugin's rejections. */
export class XP2PError extends Error {
  readonly code: ErrorCodeValue;
  constructor(code: ErrorCodeValue, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${errorMessages[code]}: ${detail}` : errorMessages[code], options);
    this.name = 'XP2PError';
    this.code = code;
  }
  get errcode(): ErrorCodeValue {
    return this.code;
  }
  get errmsg(): string {
    return this.message;
  }
}

export function isXP2PError(err: unknown, code?: ErrorCodeValue): err is XP2PError {
  return err instanceof XP2PError && (code === undefined || err.code === code);
}

/**
 * An error's message with the reasons it wraps: fetch() rejects with just "fetch failed" and keeps what a
 * user needs ("self-signed certificate in certificate chain", "connect ECONNREFUSED ...") in `cause`.
 */
export function describeError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 4; depth++) {
    const text = e instanceof Error ? e.message : String(e);
    if (text && !parts.includes(text)) parts.push(text);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(': ');
}

/**
 * Text from clients reaches log lines (a device's reject message, a version string, an error message):
 * with a raw newline in it, a client could forge whole log lines ("device demo/cam2 online") for an
 * operator or a log shipper that splits on newlines. Every line leaves the log as one line.
 */
import { describe, expect, it } from 'vitest';
import { createLog } from './logger.js';

describe('log injection', () => {
  it('a client newline, carriage return, line separator or escape sequence never starts a new line', () => {
    const lines: string[] = [];
    const log = createLog({ sink: (l) => lines.push(l) });
    const forged = 'too many viewers\ndevice demo/cam2 online (version 2.4.50)\r\u2028\u001b[2Jx';
    log(`session 1234abcd rejected by device: 429 ${forged}`);
    expect(lines).toHaveLength(1);
    for (const raw of ['\n', '\r', '\u2028', '\u2029', '\u001b']) expect(lines[0]).not.toContain(raw);
    expect(lines[0]).toBe(
      'session 1234abcd rejected by device: 429 too many viewers\\ndevice demo/cam2 online (version 2.4.50)\\r\\u2028\\u001b[2Jx',
    );
  });
});

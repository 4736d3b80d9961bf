import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createJsonLogger, createLog, levelOf, scrubSecrets } from './logger.js';

describe('server log', () => {
  it('scrubs credentials from lines', () => {
    expect(scrubSecrets('pull x ← http://h/live/a.flv?key=SECRET123&b=1 token=abc.def')).toBe(
      'pull x ← http://h/live/a.flv?key=[redacted]&b=1 token=[redacted]',
    );
  });

  it('levels lines by what they say', () => {
    expect(levelOf('http GET /x: internal error: boom')).toBe('error');
    expect(levelOf('device login refused: wrong login proof for demo/cam1')).toBe('warn');
    expect(levelOf('device demo/cam1 online (version 2.4.50)')).toBe('info');
  });

  it('writes JSON lines with levels to pino and plain lines to the sink', () => {
    const written: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        written.push(chunk.toString());
        done();
      },
    });
    const lines: string[] = [];
    const log = createLog({ sink: (l) => lines.push(l), logger: createJsonLogger('info', out) });
    log('viewer refused: bad signature=xyz');
    log('device demo/cam1 online');
    expect(lines).toEqual(['viewer refused: bad signature=[redacted]', 'device demo/cam1 online']);
    const events = written.map((w) => JSON.parse(w) as { level: number; msg: string; service: string });
    expect(events.map((e) => [e.level, e.msg])).toEqual([
      [40, 'viewer refused: bad signature=[redacted]'],
      [30, 'device demo/cam1 online'],
    ]);
    expect(events[0]?.service).toBe('xp2p-server');
  });
});

/**
 * `xp2p publish NAME <source>`: pushes a live FLV stream to the origin over HTTP(S) (chunked POST), the
 * way `ffmpeg -re -i IN -c copy -f flv http://host:18080/live/NAME?key=KEY` does. Sources as for
 * `xp2p device`: sample (bundled), testsrc, a file or an ffmpeg-readable URL.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { encodeFlvHeader, encodeFlvTag, originUrls } from '@xp2p/protocol';
import { sourceFromSpec } from '@xp2p/device';
import { commonOptions, UsageError } from '../args.js';
import { readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function publishCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...commonOptions, key: { type: 'string' } },
  });
  const [name, spec = 'sample'] = positionals;
  if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new UsageError('give the stream NAME (letters, digits, _ . -)');
  const key = values.key ?? (await readDevConfig(values.data)).publishKey;
  const url = new URL(`${originUrls.publish(name)}?key=${encodeURIComponent(key)}`, values.server);
  const source = sourceFromSpec(spec);

  // https verifies the origin's certificate (a private CA: NODE_EXTRA_CA_CERTS, see docs/operations.md)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upload = request(url, {
    method: 'POST',
    headers: { 'content-type': 'video/x-flv', 'transfer-encoding': 'chunked' },
  });
  let stopping = false;
  const done = new Promise<void>((resolve) => {
    upload.on('response', (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        if (res.statusCode !== 200 && res.statusCode !== 201 && res.statusCode !== 204) {
          console.error(`origin refused the stream (${res.statusCode}): ${body.trim()}`);
          process.exitCode = 1;
        }
        resolve();
      });
    });
    upload.on('error', (err) => {
      if (!stopping) {
        console.error(`publish failed: ${err.message}`);
        process.exitCode = 1;
      }
      resolve();
    });
  });
  upload.write(encodeFlvHeader({ audio: true, video: true }));
  source.start({
    onTag: (tag) => upload.write(encodeFlvTag(tag)),
    onEnd: (error) => {
      if (error) console.error(`source ended: ${error.message}`);
      upload.end();
    },
  });
  console.log(`publishing: ${source.description}`);
  console.log(`watch: ${new URL(originUrls.flv(name), values.server).href}`);
  runUntilSignal([
    async () => {
      stopping = true;
      await source.stop();
      upload.end();
      await done;
    },
  ]);
  await done;
  await source.stop();
  process.exit(process.exitCode ?? 0);
}

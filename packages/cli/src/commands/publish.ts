/**
 * `xp2p publish NAME <source>`: pushes a live FLV stream to the origin over HTTP(S) (chunked POST), the
 * way `ffmpeg -re -i IN -c copy -f flv http://host:18080/live/NAME?key=KEY` does. Sources as for
 * `xp2p device`: sample (bundled), testsrc, a file or an ffmpeg-readable URL.
 * The stream's key never goes in argv (any local user can read argv with ps): it comes from
 * XP2P_PUBLISH_KEY, a --key-file, or is derived from the config's master key, and travels in a header,
 * not in the URL (URLs end up in proxy logs). `xp2p publish-key NAME` prints a stream's key.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import {
  encodeFlvHeader,
  encodeFlvTag,
  originUrls,
  PUBLISH_KEY_HEADER,
  streamPublicKey,
  streamPublishKey,
} from '@xp2p/protocol';
import { sourceFromSpec } from '@xp2p/device';
import { commonOptions, UsageError } from '../args.js';
import { readDevConfig } from '../dev-config.js';
import { runUntilSignal } from '../lifecycle.js';

export async function publishCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...commonOptions, 'key-file': { type: 'string' } },
  });
  const [name, spec = 'sample'] = positionals;
  if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new UsageError('give the stream NAME (letters, digits, _ . -)');
  const key = await publishKeyOf(name, values['key-file'], values.data);
  const url = new URL(originUrls.publish(name), values.server);
  const source = sourceFromSpec(spec);

  // https verifies the origin's certificate (a private CA: NODE_EXTRA_CA_CERTS, see docs/operations.md)
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const upload = request(url, {
    method: 'POST',
    headers: { 'content-type': 'video/x-flv', 'transfer-encoding': 'chunked', [PUBLISH_KEY_HEADER]: key },
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
  // the stream's public key rides with its URL: viewers trust only the records the origin signed with it
  console.log(`watch: ${new URL(originUrls.flv(name), values.server).href}?pk=${await streamPublicKey(key, name)}`);
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

async function publishKeyOf(name: string, keyFile: string | undefined, dataDir: string): Promise<string> {
  if (keyFile) return (await readFile(keyFile, 'utf8')).trim();
  if (process.env.XP2P_PUBLISH_KEY) return process.env.XP2P_PUBLISH_KEY;
  return streamPublishKey((await readDevConfig(dataDir)).publishKey, name);
}

/**
 * `xp2p publish-key NAME`: the stream's key, from the config's master key (for ffmpeg's ?key=), and on a
 * second line the stream's public key for its viewers' URL.
 */
export async function publishKeyCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: commonOptions });
  const [name] = positionals;
  if (!name || !/^[A-Za-z0-9_.-]{1,64}$/.test(name))
    throw new UsageError('give the stream NAME (letters, digits, _ . -)');
  const key = await streamPublishKey((await readDevConfig(values.data)).publishKey, name);
  console.log(key);
  // what viewers need with the stream URL (http://HOST/live/NAME.flv?pk=PK) to check the origin's signatures
  console.log(`pk: ${await streamPublicKey(key, name)}`);
}

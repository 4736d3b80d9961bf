/** `xp2p records <productId>/<deviceName> [--from S --to E]`: the camera's recordings in a time range. */
import { parseArgs } from 'node:util';
import { commonOptions } from '../args.js';
import { connectToCamera } from '../camera-connection.js';

const toUnix = (text: string | undefined, fallback: number) => {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isFinite(n) ? Math.floor(n) : Math.floor(Date.parse(text) / 1000);
};

export async function recordsCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ...commonOptions,
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const now = Math.floor(Date.now() / 1000);
  const from = toUnix(values.from, now - 86_400);
  const to = toUnix(values.to, now + 60);
  const camera = await connectToCamera(values, positionals[0]);
  try {
    const result = await camera.p2p.sendCommand(
      camera.id,
      `action=inner_define&channel=0&cmd=get_file_list&start_time=${from}&end_time=${to}&file_type=0`,
    );
    if (result.type !== 'success') {
      console.error(`camera answered ${result.type} ${result.status}: ${result.data || result.errmsg}`);
      process.exitCode = 1;
      return;
    }
    const files =
      (
        JSON.parse(result.data) as {
          file_list?: { file_name: string; file_size: number; start_time: number; end_time: number }[];
        }
      ).file_list ?? [];
    if (values.json) console.log(JSON.stringify(files, null, 2));
    else {
      for (const f of files) {
        console.log(
          `${new Date(f.start_time * 1000).toISOString()}  ${String(f.end_time - f.start_time).padStart(5)} s  ${String(f.file_size).padStart(10)} B  ${f.file_name}`,
        );
      }
      console.log(`${files.length} recording(s)`);
    }
  } finally {
    camera.close();
  }
}

/** `xp2p cmd <productId>/<deviceName> '<command>'`: prints the guide's result object as JSON. */
import { parseArgs } from 'node:util';
import { commonOptions, UsageError } from '../args.js';
import { connectToCamera } from '../camera-connection.js';

export async function cmdCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { ...commonOptions, timeout: { type: 'string' } },
  });
  const command = positionals[1];
  if (!command)
    throw new UsageError("give the command, e.g. 'action=inner_define&channel=0&cmd=get_device_st&type=live'");
  const camera = await connectToCamera(values, positionals[0]);
  try {
    const result = await camera.p2p.sendCommand(camera.id, command, {
      timeoutMs: values.timeout !== undefined ? Number(values.timeout) : undefined,
    });
    console.log(JSON.stringify(result, null, 2));
    process.exitCode = result.type === 'success' ? 0 : 1;
  } finally {
    camera.close();
  }
}

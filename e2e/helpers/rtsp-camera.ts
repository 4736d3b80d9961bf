/** A real RTSP camera for tests: GStreamer's RTSP server (rtsp-test-server.py) serving a test pattern. */
import { fileURLToPath } from 'node:url';
import { start, type RunningProcess } from './processes.js';

const RTSP_SERVER = fileURLToPath(new URL('./rtsp-test-server.py', import.meta.url));

/** Starts the camera on a loopback port (the same port again after a kill: a camera that rebooted). */
export async function startRtspCamera(port: number): Promise<{ proc: RunningProcess; url: string }> {
  // Debian's python3 carries python3-gi (a pyenv python on PATH would not)
  const proc = start([RTSP_SERVER, String(port)], { program: '/usr/bin/python3' });
  const [, url] = await proc.waitForLine(/^rtsp: (\S+)/, 20_000);
  return { proc, url: url! };
}

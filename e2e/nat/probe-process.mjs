#!/usr/bin/env node
// Runs the sdk's NAT probe (built) once and prints its result as one JSON line.
// Args: JSON {servers: [{host, port}], bindAddress?}.
import { nodeUdpTransport, probeNat } from '@xp2p/sdk/node';

const o = JSON.parse(process.argv[2] ?? '{}');
try {
  const result = await probeNat({ transport: nodeUdpTransport, servers: o.servers, bindAddress: o.bindAddress });
  console.log(JSON.stringify({ result }));
} catch (err) {
  console.log(JSON.stringify({ error: String(err?.message ?? err) }));
}

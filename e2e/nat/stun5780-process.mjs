#!/usr/bin/env node
// The server package's RFC 5780 responder (built) as a process for the lab.
// Args: JSON {addresses: string[], ports: [number, number]}. Prints "stun5780: <port> <port>" when ready.
import { startRfc5780Server } from '@xp2p/server';

const o = JSON.parse(process.argv[2] ?? '{}');
const server = await startRfc5780Server(o.addresses, o.ports ?? [0, 0], (line) => console.log(line));
console.log(`stun5780: ${server.ports.join(' ')}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));

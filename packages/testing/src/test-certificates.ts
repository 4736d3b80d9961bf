/** Makes a throwaway CA and a server certificate for 127.0.0.1 with the openssl command, for TLS tests. */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const openssl = (args: string[], cwd: string): void => void execFileSync('openssl', args, { cwd, stdio: 'pipe' });

export interface TestCa {
  caFile: string;
  /**
   * issues (or re-issues, with a new serial) `name`.crt/.key for CN/SAN 127.0.0.1 and localhost, or for
   * the given subjectAltName (e.g. 'IP:203.0.113.1' for a server in the NAT lab)
   */
  issue(name: string, subjectAltName?: string): { certFile: string; keyFile: string };
}

export function makeTestCa(dir: string): TestCa {
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
      '-days',
      '2',
      '-subj',
      '/CN=xp2p test CA',
    ],
    dir,
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  return {
    caFile: join(dir, 'ca.crt'),
    issue(name, subjectAltName) {
      const ext = subjectAltName ? `${name}-san.ext` : 'san.ext';
      if (subjectAltName) {
        writeFileSync(join(dir, ext), `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\n`);
      }
      openssl(
        [
          'req',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-keyout',
          `${name}.key`,
          '-out',
          `${name}.csr`,
          '-subj',
          '/CN=127.0.0.1',
        ],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          `${name}.csr`,
          '-CA',
          'ca.crt',
          '-CAkey',
          'ca.key',
          '-set_serial',
          `0x${Date.now().toString(16)}`,
          '-out',
          `${name}.crt`,
          '-days',
          '1',
          '-extfile',
          ext,
        ],
        dir,
      );
      return { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
    },
  };
}

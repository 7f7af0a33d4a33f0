import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A real HTTP CONNECT proxy on loopback, as a corporate proxy behaves: it records each CONNECT
 * target, tunnels bytes both ways, and can demand authentication (407) or refuse (403).
 */
export class ConnectProxy {
  readonly connects: string[] = [];
  answer: 'tunnel' | 407 | 403 | 'silent' = 'tunnel';
  private readonly server = http.createServer((_req, res) => {
    res.writeHead(405).end();
  });
  private readonly sockets = new Set<net.Socket>();

  constructor() {
    this.server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
      this.sockets.add(client);
      client.on('close', () => this.sockets.delete(client));
      client.on('error', () => undefined);
      this.connects.push(req.url ?? '');
      if (this.answer === 'silent') return;
      if (this.answer !== 'tunnel') {
        const reason = this.answer === 407 ? 'Proxy Authentication Required' : 'Forbidden';
        client.end(
          `HTTP/1.1 ${this.answer} ${reason}\r\nProxy-Authenticate: Negotiate\r\nContent-Length: 0\r\n\r\n`,
        );
        return;
      }
      const [host = '', port = ''] = (req.url ?? '').split(/:(?=\d+$)/);
      const upstream = net.connect({ host: host.replace(/^\[|\]$/g, ''), port: Number(port) });
      this.sockets.add(upstream);
      upstream.on('close', () => this.sockets.delete(upstream));
      upstream.on('error', () => client.destroy());
      upstream.on('connect', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }
}

/**
 * A private CA and a server certificate it signed for 127.0.0.1 and localhost (openssl), as a
 * company's TLS-inspection CA: trusted by no default list, only where it is installed.
 */
export function privateCa(): { ca: string; key: string; cert: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'trayphone-ca-'));
  const openssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore', timeout: 20_000 });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  try {
    openssl(
      'req',
      '-x509',
      ...ec,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Trayphone Test Corporate CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    );
    openssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
    writeFileSync(
      path.join(dir, 'server.ext'),
      'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n' +
        'keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n',
    );
    openssl(
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    );
    const read = (file: string): string => readFileSync(path.join(dir, file), 'utf8');
    return { ca: read('ca.pem'), key: read('server.key'), cert: read('server.pem') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

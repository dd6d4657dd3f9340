/**
 * An HTTP proxy between a remote worker and `farm api`, for the faults the
 * issue names: the bytes of an upload changed in transit (a flipped byte:
 * the announced sha256 no longer matches), and the API killed in the middle
 * of an upload (the test kills the real process while the proxy holds the
 * second half of the body), and an upload held until the test has revoked
 * the worker's token. Everything else passes through untouched.
 */
import http from 'node:http';
import type net from 'node:net';

export interface ProxiedUpload {
  readonly url: string;
  readonly status: number | 'reset';
  readonly fault?: 'corrupted' | 'killed' | 'held';
}

export interface FaultProxy {
  readonly url: string;
  /** Every upload request seen, with what the worker got back. */
  readonly uploads: ProxiedUpload[];
  /** The next upload arrives with one byte of its wheel flipped. */
  corruptNextUpload(): void;
  /**
   * The next upload stops half way: `kill` runs (it kills the API) before the
   * rest is sent, and the worker's connection is reset.
   */
  killDuringNextUpload(kill: () => Promise<void>): void;
  /** The next upload waits for `first` (e.g. revoking the worker's token), then goes on. */
  holdNextUpload(first: () => Promise<void>): void;
  close(): Promise<void>;
}

const isUpload = (req: http.IncomingMessage) => req.method === 'POST' && /^\/[^/]+\/upload\/?$/.test(req.url ?? '');

/** Flips a byte inside the `content` part (after its part headers), keeping the length. */
function corrupt(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  const part = copy.indexOf('name="content"');
  const start = copy.indexOf('\r\n\r\n', part) + 4;
  copy[start + 10] = copy[start + 10]! ^ 0xff;
  return copy;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const uploads: ProxiedUpload[] = [];
  let corruptNext = false;
  let killNext: (() => Promise<void>) | undefined;
  let holdNext: (() => Promise<void>) | undefined;
  const sockets = new Set<net.Socket>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      const upload = isUpload(req);
      let fault: ProxiedUpload['fault'];
      let kill: (() => Promise<void>) | undefined;
      let hold: (() => Promise<void>) | undefined;
      if (upload && corruptNext) {
        corruptNext = false;
        fault = 'corrupted';
        body = corrupt(body);
      } else if (upload && killNext !== undefined) {
        kill = killNext;
        killNext = undefined;
        fault = 'killed';
      } else if (upload && holdNext !== undefined) {
        hold = holdNext;
        holdNext = undefined;
        fault = 'held';
      }
      const open = () => {
        const forward = http.request({ host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          if (upload) uploads.push({ url: req.url ?? '', status: answer.statusCode ?? 0, ...(fault === undefined ? {} : { fault }) });
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forward.on('error', () => {
          if (upload) uploads.push({ url: req.url ?? '', status: 'reset', ...(fault === undefined ? {} : { fault }) });
          // What the worker sees when the API dies under it: the connection goes.
          res.socket?.destroy();
        });
        return forward;
      };
      if (hold !== undefined) {
        // Connect only afterwards: the API drops a connection that sends no headers for long.
        void hold().then(() => open().end(body));
        return;
      }
      const forward = open();
      if (kill === undefined) {
        forward.end(body);
        return;
      }
      forward.write(body.subarray(0, Math.floor(body.length / 2)));
      void kill().then(() => forward.end(body.subarray(Math.floor(body.length / 2))));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    uploads,
    corruptNextUpload: () => void (corruptNext = true),
    killDuringNextUpload: (kill) => void (killNext = kill),
    holdNextUpload: (first) => void (holdNext = first),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

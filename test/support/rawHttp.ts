/**
 * An HTTP client for hostile requests: any method, any headers, a body sent in small chunks (chunked when no
 * Content-Length is given) that stops being sent as soon as the server answers. A server that answers and
 * closes before the body is sent is what a refusal looks like, so a reset after the answer is not an error.
 */
import http from 'node:http';

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Send the body without Content-Length (Transfer-Encoding: chunked). */
  chunked?: boolean;
  /** Send the headers (Content-Length included) and never the body: only a server that answers from the headers answers. */
  holdBody?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
  /** Bytes of the body written before the answer came. */
  bytesSent: number;
}

const CHUNK = 16 * 1024;

export function rawRequest(port: number, r: RawRequest, timeoutMs = 20_000): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const body = r.body ?? Buffer.alloc(0);
    // keep-alive, as Teams and any HTTP/1.1 client send it: a client that asks for `Connection: close` gets
    // the connection closed as soon as it is answered, and may see the reset before it reads the answer.
    const headers: Record<string, string> = { Connection: 'keep-alive', ...(r.headers ?? {}) };
    if (!r.chunked && body.length > 0 && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent: false, timeout: timeoutMs });
    let answered = false;
    let sent = 0;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', () => undefined);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any = null;
        try {
          json = text ? JSON.parse(text) : null;
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, bytesSent: sent });
        // Answered: whatever of the body is unsent stays unsent, and the connection is done with.
        req.destroy();
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${r.method} ${r.path} within ${timeoutMs} ms`)));
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    const writeNext = () => {
      while (!answered && sent < body.length) {
        const piece = body.subarray(sent, sent + CHUNK);
        sent += piece.length;
        if (!req.write(piece)) {
          req.once('drain', writeNext);
          return;
        }
      }
      if (!answered) req.end();
    };
    req.flushHeaders();
    if (r.holdBody) return;
    // Give the server a moment to answer from the headers alone before the body follows.
    setImmediate(writeNext);
  });
}

/**
 * Reads a request body that must be a small JSON document, refusing everything else before it costs memory or
 * disk: only `application/json` (charset utf-8 if one is given), no content encoding (a 250 KB gzip body can
 * inflate to gigabytes), at most `maxBytes` on the wire (checked against Content-Length before reading, and
 * counted while reading a chunked body), no deeper nesting than `maxDepth`. Nothing is written to disk.
 */
import type { IncomingMessage } from 'node:http';
import { HttpRefusal } from './httpRefusal';

export interface BodyLimits {
  maxBytes: number;
  maxDepth: number;
}

/** Header checks only: what can be refused without reading a byte of the body. */
export function checkJsonHeaders(req: IncomingMessage, { maxBytes }: BodyLimits): void {
  const [mediaType = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((s) => s.trim().toLowerCase());
  if (mediaType !== 'application/json') throw new HttpRefusal(415, 'the body must be application/json');
  for (const param of params) {
    const [name, value = ''] = param.split('=').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') throw new HttpRefusal(415, 'the body must be application/json in utf-8');
  }
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== '') throw new HttpRefusal(415, 'compressed bodies are not accepted (Content-Encoding must be identity)', { 'Accept-Encoding': 'identity' });
  const length = req.headers['content-length'];
  if (length !== undefined && !(Number(length) <= maxBytes)) throw new HttpRefusal(413, `the body must be at most ${maxBytes} bytes`);
}

/**
 * Reads and parses the body; stops reading as soon as it is over the limit. (Listeners, not `for await`: leaving
 * an async iterator early destroys the socket, and the caller still has to answer 413.)
 */
export async function readJsonBody(req: IncomingMessage, limits: BodyLimits): Promise<unknown> {
  checkJsonHeaders(req, limits);
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limits.maxBytes) {
        chunks.push(chunk);
        return;
      }
      stop();
      req.pause();
      reject(new HttpRefusal(413, `the body must be at most ${limits.maxBytes} bytes`));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = () => {
      stop();
      reject(new HttpRefusal(400, 'the body could not be read'));
    };
    const onClose = () => {
      if (req.complete) return;
      stop();
      reject(new HttpRefusal(400, 'the body ended early'));
    };
    req.on('data', onData).once('end', onEnd).once('error', onError).once('close', onClose);
  });
  if (nestingDepth(text) > limits.maxDepth) throw new HttpRefusal(400, `the body nests deeper than ${limits.maxDepth} levels`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpRefusal(400, 'the body is not valid JSON');
  }
}

/** Deepest bracket nesting outside strings, without recursion (so a hostile body cannot overflow the stack). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

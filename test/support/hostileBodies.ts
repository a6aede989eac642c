/** Bodies an attacker sends: a gzip bomb, multipart uploads, form posts. Built without holding the inflated size. */
import zlib from 'node:zlib';

let bomb: Buffer | null = null;

/**
 * About 247 KB of gzip that inflates to 240 MB: under a 256 KB limit that counts compressed bytes. Concatenated
 * gzip members are one valid gzip stream (RFC 1952), so it is built from one compressed megabyte, 240 times,
 * never holding the inflated size.
 */
export function gzipBomb(): Buffer {
  if (!bomb) {
    const member = zlib.gzipSync(Buffer.alloc(1024 * 1024, 0x20), { level: 9 });
    bomb = Buffer.concat(Array.from({ length: 240 }, () => member));
  }
  return bomb;
}

export function multipartBody(boundary: string, fields: Record<string, string>, file: { name: string; bytes: number }): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields)) parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(Buffer.alloc(file.bytes, 0x41), Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(parts);
}

export function formBody(fields: Record<string, string>): Buffer {
  return Buffer.from(new URLSearchParams(fields).toString());
}

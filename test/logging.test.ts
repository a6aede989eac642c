/** The per-request logger: no field redaction walk, but the configured secret values are still scrubbed. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, fixedFieldsLog } from '../src/logging';

const SECRET = 'app-secret-Qz8#wL4!pR';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logging: the per-request line', function () {
  it('writes the request fields and still scrubs a configured secret value from the line', function () {
    const out = capture();
    const log = createLogger('info', { destination: out.stream, env: { MicrosoftAppPassword: SECRET } });
    fixedFieldsLog(log).info({ method: 'POST', path: `/api/messages/${SECRET}`, status: 200, ms: 3 }, 'request');
    const [line] = out.lines();
    assert.equal(line?.method, 'POST');
    assert.equal(line?.status, 200);
    assert.equal(line?.path, '/api/messages/[redacted]');
    assert.equal(line?.msg, 'request');
  });

  it('leaves the redaction of secret-bearing fields on every other line', function () {
    const out = capture();
    const log = createLogger('info', { destination: out.stream, env: {} });
    fixedFieldsLog(log);
    log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi' } }, password: 'hunter22' }, 'other');
    const [line] = out.lines() as [{ req: { headers: { authorization: string } }; password: string }];
    assert.equal(line.req.headers.authorization, '[redacted]');
    assert.equal(line.password, '[redacted]');
  });

  it('skips the field walk: a field named like a secret is written as given', function () {
    const out = capture();
    const log = createLogger('info', { destination: out.stream, env: {} });
    fixedFieldsLog(log).info({ token: 'not-a-secret-here' }, 'request');
    assert.equal(out.lines()[0]?.token, 'not-a-secret-here');
  });
});

/** A turn's trace: its correlation id, and a logger bound to it, made only when a line needs it. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/logging';
import { turnTrace } from '../../src/bot/turnTrace';

describe('bot: turn trace', () => {
  it('makes the turn\'s logger once, the first time a line needs it', () => {
    const bound: unknown[] = [];
    const child = {} as Logger;
    const base = { child: (bindings: unknown) => (bound.push(bindings), child) } as unknown as Logger;
    const trace = turnTrace(base, 'turn-1');
    assert.equal(trace.correlationId, 'turn-1');
    assert.deepEqual(bound, [], 'no logger made for a turn that writes no line');
    assert.equal(trace.log, child);
    assert.equal(trace.log, child);
    assert.deepEqual(bound, [{ correlationId: 'turn-1' }]);
  });

  it('every line of the turn\'s logger carries the id; the deployment\'s logger adds none', () => {
    const lines: any[] = [];
    const log = createLogger('info', { destination: new Writable({ write(chunk, _e, cb) { lines.push(JSON.parse(String(chunk))); cb(); } }), env: {} });
    const trace = turnTrace(log, 'turn-2');
    trace.log.warn({ code: 'x' }, 'in the turn');
    trace.log.child({ part: 'store' }).error('deeper in the turn');
    log.info('outside any turn');
    assert.deepEqual(lines.map((l) => [l.msg, l.correlationId]), [['in the turn', 'turn-2'], ['deeper in the turn', 'turn-2'], ['outside any turn', undefined]]);
  });
});

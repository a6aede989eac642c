/**
 * A local fake of the Bot Connector v3 REST API (the part of Teams a bot sends proactive messages to), on
 * 127.0.0.1 and a random port. Point a CloudAdapter at it by using `fake.serviceUrl` as the serviceUrl of
 * conversation references (and of createConversationAsync). In anonymous mode (no app id) botbuilder sends no
 * token; the fake records the Authorization header of every call, and when `authorize` is set it checks it as
 * the Bot Connector does: a call whose token it refuses gets 401 and takes no effect.
 *
 *   POST /v3/conversations                                 create a 1:1 conversation  → 201 { id }
 *   POST /v3/conversations/{id}/activities                 send an activity           → 201 { id }
 *   POST /v3/conversations/{id}/activities/{replyToId}     reply to an activity       → 201 { id }
 *   PUT  /v3/conversations/{id}/activities/{activityId}    update an activity         → 200 { id }
 *
 * Creating a conversation with the same member twice returns the same conversation id, as Teams does.
 *
 * Faults are scripted with `fail(...)`: each rule matches by method and/or path (string or RegExp) and/or a
 * predicate on the parsed call, for `times` calls (default 1; Infinity for a permanent fault), and answers with
 * a status (optionally Retry-After and a Teams-style error body), hangs (never answers until `hangMs` passes or
 * the fake closes, then the socket is destroyed), or "accepts then drops" (the call takes effect, as if Teams
 * posted the message, but the connection is cut before the answer: the lost-acknowledgement case), or "accepts
 * late" (the call waits until the test opens a gate, then takes effect and answers as usual: Teams slow to
 * answer, so the send is still in flight while the test does something else), or "refuses late" (the call
 * waits until the test opens a gate, then answers with a status and takes no effect: a turn held at its
 * Bot Connector call while the test runs another turn, then failing).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type ConnectorOperation = 'createConversation' | 'sendActivity' | 'replyToActivity' | 'updateActivity' | 'unknown';

export interface RecordedCall {
  seq: number;
  operation: ConnectorOperation;
  at: number;
  method: string;
  path: string;
  /** The {id} of /v3/conversations/{id}/..., decoded. */
  conversationId: string | null;
  /** The {activityId} of .../activities/{activityId} (the updated activity, or the one replied to), decoded. */
  activityId: string | null;
  body: unknown;
  /** `channelData.channelCheck.idempotencyKey` of the sent activity, when present. */
  idempotencyKey: string | null;
  authorization: string | null;
  /** What the fake answered: an HTTP status, 'hang', 'dropped' (took effect, then the connection was cut) or 'reset' (cut on arrival, no effect). */
  outcome: number | 'hang' | 'dropped' | 'reset';
  /** True when the call took effect: a message was posted, a conversation created, an activity updated. */
  effective: boolean;
  /** The id returned (conversation id for a create, activity id for a send/update). */
  resultId: string | null;
}

type StatusFault = { status: number; retryAfter?: string | number; code?: string; message?: string };

export type Fault =
  | StatusFault
  | { hang: true; hangMs?: number }
  | { dropAfterAccept: true }
  /** The connection is cut as the call arrives, with no effect: what a kept-alive connection the server has just closed looks like to the client. */
  | { reset: true }
  | { acceptWhen: Promise<void> }
  | (StatusFault & { answerWhen: Promise<void> });

export interface FaultRule {
  method?: string;
  /** A string matches the whole path exactly; a RegExp is tested against it. */
  path?: string | RegExp;
  /** Extra condition on the call (e.g. one idempotency key). */
  when?: (call: Pick<RecordedCall, 'operation' | 'method' | 'path' | 'conversationId' | 'activityId' | 'body' | 'idempotencyKey'>) => boolean;
  /** How many matching calls get the fault. Default 1. */
  times?: number;
  fault: Fault;
}

interface ActiveRule extends FaultRule {
  remaining: number;
}

/**
 * Paths, for fault rules. Note that botbuilder's proactive flow (continueConversationAsync + sendActivity)
 * posts a message as a reply to the continuation activity's made-up id (POST .../activities/{uuid}); Teams
 * posts it as a new message. `sendsTo` and `anySend` match both forms.
 */
export const connectorPaths = {
  createConversation: '/v3/conversations',
  activity: (conversationId: string, activityId: string): string =>
    `/v3/conversations/${encodeURIComponent(conversationId)}/activities/${encodeURIComponent(activityId)}`,
  /** Any send (or reply) to one conversation. Use with method: 'POST'. */
  sendsTo: (conversationId: string): RegExp =>
    new RegExp(`^/v3/conversations/${escapeRegExp(encodeURIComponent(conversationId))}/activities(?:/[^/]+)?$`),
  /** Any send (or reply) to any conversation. Use with method: 'POST'. */
  anySend: /^\/v3\/conversations\/[^/]+\/activities(?:\/[^/]+)?$/,
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function idempotencyKeyOf(body: unknown): string | null {
  const key = (body as { channelData?: { channelCheck?: { idempotencyKey?: unknown } } } | null)?.channelData?.channelCheck?.idempotencyKey;
  return typeof key === 'string' ? key : null;
}

export interface FakeBotConnectorOptions {
  /** Milliseconds clock for `RecordedCall.at`. */
  now?: () => number;
  /** Called when a request hangs, after it is recorded. */
  onHang?: () => void;
  /** The server's keep-alive timeout (default 5 s). */
  keepAliveMs?: number;
}

export class FakeBotConnector {
  readonly calls: RecordedCall[] = [];
  /** Checks each call's Authorization header (e.g. FakeBotFrameworkIdentity.verifyBotToken); unset: none checked. */
  authorize: ((authorization: string | null) => Promise<boolean>) | null = null;
  private readonly rules: ActiveRule[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly hangTimers = new Set<NodeJS.Timeout>();
  private readonly conversationsByMember = new Map<string, string>();
  private server: http.Server | null = null;
  private port = 0;
  private opened = 0;
  private activityCounter = 0;
  private conversationCounter = 0;

  /** Milliseconds clock for `RecordedCall.at` (tests on a fake clock pass theirs). */
  private readonly now: () => number;

  /** Called when a request hangs (tests on a fake clock move it past the sender's deadline). */
  private readonly onHang: (() => void) | undefined;

  private readonly keepAliveMs: number;

  constructor(options: FakeBotConnectorOptions = {}) {
    this.now = options.now ?? Date.now;
    this.onHang = options.onHang;
    this.keepAliveMs = options.keepAliveMs ?? 5000;
  }

  /** Starts listening on 127.0.0.1 and a random port. */
  static async start(options: FakeBotConnectorOptions = {}): Promise<FakeBotConnector> {
    const fake = new FakeBotConnector(options);
    await fake.listen();
    return fake;
  }

  /** Ends with a slash, like Teams' own service URLs. */
  get serviceUrl(): string {
    if (this.server === null) throw new Error('the fake Bot Connector is not listening');
    return `http://127.0.0.1:${this.port}/`;
  }

  /** Scripts a fault; rules are tried in the order they were added. */
  fail(rule: FaultRule): this {
    this.rules.push({ ...rule, remaining: rule.times ?? 1 });
    return this;
  }

  clearFaults(): void {
    this.rules.length = 0;
  }

  /** The conversation id the fake gives (or will give) a 1:1 conversation with this member. */
  conversationIdFor(memberId: string): string {
    let id = this.conversationsByMember.get(memberId);
    if (id === undefined) {
      this.conversationCounter += 1;
      id = `a:fake-1to1-${this.conversationCounter}-${memberId}`;
      this.conversationsByMember.set(memberId, id);
    }
    return id;
  }

  /** Messages that were really posted (POST .../activities that took effect), in order. */
  delivered(): RecordedCall[] {
    return this.calls.filter((c) => (c.operation === 'sendActivity' || c.operation === 'replyToActivity') && c.effective);
  }

  deliveredTo(conversationId: string): RecordedCall[] {
    return this.delivered().filter((c) => c.conversationId === conversationId);
  }

  /** How many times each idempotency key was posted successfully. */
  deliveredKeyCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const call of this.delivered()) {
      const key = call.idempotencyKey ?? '(no key)';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  }

  updates(): RecordedCall[] {
    return this.calls.filter((c) => c.operation === 'updateActivity' && c.effective);
  }

  creates(): RecordedCall[] {
    return this.calls.filter((c) => c.operation === 'createConversation');
  }

  /** How many TCP connections clients have opened to the fake (kept-alive sockets are reused). */
  get connectionsOpened(): number {
    return this.opened;
  }

  async close(): Promise<void> {
    for (const timer of this.hangTimers) clearTimeout(timer);
    this.hangTimers.clear();
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = null;
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = http.createServer((req, res) => {
      void this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'FakeConnectorError', message: (error as Error).message } }));
        }
      });
    });
    // Above a second, as the Bot Connector's own: Node's HTTP agent treats a socket as expired one second
    // before the server's Keep-Alive timeout, so at 1 s every call would open a new connection.
    server.keepAliveTimeout = this.keepAliveMs;
    server.on('connection', (socket) => {
      this.opened += 1;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const match = /^\/v3\/conversations(?:\/([^/]+)\/activities(?:\/([^/]+))?)?\/?$/.exec(path);
    const conversationId = match?.[1] !== undefined ? decodeURIComponent(match[1]) : null;
    const activityId = match?.[2] !== undefined ? decodeURIComponent(match[2]) : null;
    const auth = req.headers.authorization;
    const operation: ConnectorOperation =
      match === null
        ? 'unknown'
        : method === 'POST' && conversationId === null
          ? 'createConversation'
          : method === 'POST' && activityId === null
            ? 'sendActivity'
            : method === 'POST'
              ? 'replyToActivity'
              : method === 'PUT' && activityId !== null
                ? 'updateActivity'
                : 'unknown';
    const call: RecordedCall = {
      seq: this.calls.length + 1,
      operation,
      at: this.now(),
      method,
      path,
      conversationId,
      activityId,
      body,
      idempotencyKey: idempotencyKeyOf(body),
      authorization: typeof auth === 'string' ? auth : null,
      outcome: 0,
      effective: false,
      resultId: null,
    };
    this.calls.push(call);

    if (this.authorize !== null && !(await this.authorize(call.authorization))) {
      call.outcome = 401;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } }));
      return;
    }

    const rule = this.rules.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.path === undefined || (typeof r.path === 'string' ? r.path === path : r.path.test(path))) &&
        (r.when === undefined || r.when(call)),
    );
    if (rule !== undefined) {
      rule.remaining -= 1;
      const fault = rule.fault;
      if ('hang' in fault) {
        call.outcome = 'hang';
        const timer = setTimeout(() => {
          this.hangTimers.delete(timer);
          req.socket.destroy();
        }, fault.hangMs ?? 60_000);
        this.hangTimers.add(timer);
        this.onHang?.();
        return;
      }
      if ('reset' in fault) {
        call.outcome = 'reset';
        req.socket.destroy();
        return;
      }
      if ('answerWhen' in fault) await fault.answerWhen;
      if ('status' in fault) {
        call.outcome = fault.status;
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
        res.writeHead(fault.status, headers);
        res.end(JSON.stringify({ error: { code: fault.code ?? `Fake${fault.status}`, message: fault.message ?? `scripted ${fault.status}` } }));
        return;
      }
      if ('acceptWhen' in fault) {
        await fault.acceptWhen;
        const late = this.perform(call, body);
        call.outcome = late.status;
        res.writeHead(late.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(late.body));
        return;
      }
      // dropAfterAccept: take effect, then cut the connection before answering.
      this.perform(call, body);
      call.outcome = 'dropped';
      req.socket.destroy();
      return;
    }

    const answer = this.perform(call, body);
    call.outcome = answer.status;
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  }

  /** Does what the real service would do; marks the call effective when it took effect. */
  private perform(call: RecordedCall, body: unknown): { status: number; body: unknown } {
    switch (call.operation) {
      case 'createConversation': {
        const members = (body as { members?: Array<{ id?: unknown }> } | null)?.members;
        const member = Array.isArray(members) && typeof members[0]?.id === 'string' ? members[0].id : null;
        if (member === null) return { status: 400, body: { error: { code: 'BadArgument', message: 'members[0].id is required' } } };
        const id = this.conversationIdFor(member);
        call.effective = true;
        call.resultId = id;
        return { status: 201, body: { id } };
      }
      case 'sendActivity':
      case 'replyToActivity': {
        this.activityCounter += 1;
        const id = `fake-activity-${this.activityCounter}`;
        call.effective = true;
        call.resultId = id;
        return { status: 201, body: { id } };
      }
      case 'updateActivity':
        call.effective = true;
        call.resultId = call.activityId;
        return { status: 200, body: { id: call.activityId } };
      default:
        return { status: 404, body: { error: { code: 'NotFound', message: `${call.method} ${call.path} is not part of the fake Bot Connector` } } };
    }
  }
}

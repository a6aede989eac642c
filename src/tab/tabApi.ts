/**
 * The tab's API: each route is a call to the services the bot's card actions call, for the person signed
 * in, and answers with the same view data the bot's presenters turn into cards. Who may see or do what is
 * decided there (src/domain/authority.ts, asked by the services and the store), never here.
 */
import { z } from 'zod';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { packView } from '../domain/policy/packView';
import type { AlertView, ApprovalView, DecisionView, Screen } from '../domain/views';
import { HttpRefusal } from '../server/httpRefusal';
import type { Actor } from '../services/actor';
import type { ApprovalService } from '../services/approvalService';
import type { ChecksService } from '../services/checksService';
import type { ConsentService } from '../services/consentService';
import type { EscalationService } from '../services/escalationService';
import type { TabApi } from './tabRoutes';

export interface TabApiDeps {
  councilPolicy: (tenantId: string) => CouncilPolicy | null;
  checks: Pick<ChecksService, 'mine' | 'team' | 'waitingFor' | 'open'>;
  approvals: Pick<ApprovalService, 'decide'>;
  escalations: Pick<EscalationService, 'acknowledge'>;
  consent: Pick<ConsentService, 'withdraw'>;
  now: () => Date;
}

const decideBody = z.strictObject({
  comment: z.string().optional(),
  version: z.number().int().positive().optional(),
});
const emptyBody = z.strictObject({});
const withdrawBody = z.strictObject({ caseRef: z.string().max(64) });

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  throw new HttpRefusal(400, `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'not accepted'}`);
}

/** Oldest first: what has waited longest is at the top (the page lists alerts, all urgent, before approvals). */
export function oldestFirst<T>(items: T[], at: (item: T) => string): T[] {
  return [...items].sort((a, b) => Date.parse(at(a)) - Date.parse(at(b)));
}

export function buildTabApi(deps: TabApiDeps): TabApi {
  const policyOf = (tenantId: string) => {
    const policy = deps.councilPolicy(tenantId);
    if (!policy) throw new HttpRefusal(404, 'no council policy is configured for your organisation');
    return policy;
  };

  /** Each entry's own view, opened as the bot's Open button opens it (the same rules decide who may). */
  const open = (actor: Actor, decisionIds: string[]): Promise<Screen[]> => Promise.all(decisionIds.map((decisionId) => deps.checks.open(actor, { decisionId })));

  return {
    get: {
      me: async (actor) => {
        const policy = deps.councilPolicy(actor.tenantId);
        return {
          user: { aadObjectId: actor.aadObjectId, displayName: actor.displayName },
          council: policy ? { id: policy.council.data.id, name: policy.council.data.metadata.council } : null,
        };
      },
      policy: async (actor) => packView(policyOf(actor.tenantId), deps.now()),
      'my-checks': async (actor) => {
        const list = await deps.checks.mine(actor);
        const screens = await open(actor, list.entries.map((e) => e.decisionId));
        const decisions: DecisionView[] = screens.flatMap((s) => (s.kind === 'outcome' ? [s.view] : []));
        // The list says, on the latest check of each case, whether consent can be withdrawn from here.
        return { list, decisions };
      },
      approvals: async (actor) => {
        const [waiting, team] = await Promise.all([deps.checks.waitingFor(actor), deps.checks.team(actor)]);
        const screens = await open(actor, waiting.entries.map((e) => e.decisionId));
        const alerts: AlertView[] = screens.flatMap((s) => (s.kind === 'alert' && s.view.status !== 'acknowledged' ? [s.view] : []));
        const approvals: ApprovalView[] = screens.flatMap((s) => (s.kind === 'approval' && s.view.status === 'open' ? [s.view] : []));
        return {
          now: deps.now().toISOString(),
          alerts: oldestFirst(alerts, (a) => a.raisedAt),
          approvals: oldestFirst(approvals, (a) => a.requestedAt),
          team,
        };
      },
      'records/:decisionId': async (actor, params) => deps.checks.open(actor, { decisionId: params.decisionId ?? '' }),
    },
    post: {
      'approvals/:approvalId/approve': async (actor, params, body) => deps.approvals.decide(actor, { ...parseBody(decideBody, body), approvalId: params.approvalId ?? '' }, 'approve', 'tab'),
      'approvals/:approvalId/decline': async (actor, params, body) => deps.approvals.decide(actor, { ...parseBody(decideBody, body), approvalId: params.approvalId ?? '' }, 'decline', 'tab'),
      'consent/withdraw': async (actor, _params, body) => deps.consent.withdraw(actor, parseBody(withdrawBody, body)),
      'alerts/:escalationId/acknowledge': async (actor, params, body) => {
        parseBody(emptyBody, body);
        return deps.escalations.acknowledge(actor, { escalationId: params.escalationId ?? '' });
      },
    },
  };
}

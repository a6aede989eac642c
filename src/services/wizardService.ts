/**
 * The decision wizard as a service: starts a check, applies a submitted step, goes back or cancels, and
 * hands the finished facts to the decision service. Progress lives in the store keyed to the card
 * (sessionId + version), so a restart between two steps or a double click neither loses nor duplicates.
 */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import { councilForTenant } from '../config';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { consentStandingText, standingConsent } from '../domain/consentRegister';
import type { CardRef, ConsentStore, WizardSession, WizardSessionStore } from '../domain/ports/store';
import { type Answers, goBack, startWizard, STEP_IDS, type StepId, STEPS, submitStep, type WizardState } from '../domain/wizard/wizard';
import { questionsFor, stepNumber, stepTitle, safetyBanner } from '../domain/wizard/wizard';
import type { QuestionId } from '../domain/wizard/questions';
import { FACT_DEFAULTS, isFactName } from '../domain/facts';
import { type MessageView, notice, type Screen, type WizardStepView } from '../domain/views';
import type { PolicyCatalogue } from '../policyFiles/loadPolicies';
import type { Actor, DecisionService } from './decisionService';
import { TurnSessionReads } from './turnSessionReads';
import { UserFacingError } from './userFacingError';

export interface WizardPayload {
  sessionId: string;
  version: number;
  inputs: Record<string, unknown>;
}

export interface WizardServiceDeps {
  store: WizardSessionStore & ConsentStore;
  policies: PolicyCatalogue;
  config: Pick<Config, 'council' | 'tenantCouncils' | 'caseRefPattern'>;
  decisions: DecisionService;
  now?: () => Date;
  newId?: () => string;
}

interface StoredProgress {
  answers: Answers;
  history: StepId[];
}

/** Where the session's card is, once it has been sent (its activity id and conversation). */
function cardRefOf(session: WizardSession): CardRef | null {
  const conversationId = (session.conversationRef as { conversation?: { id?: string } } | null)?.conversation?.id;
  return session.activityId && conversationId ? { activityId: session.activityId, conversationId } : null;
}

/** Steps that ask whether the contact agreed to WhatsApp. */
const STEPS_WITH_CONSENT: readonly StepId[] = STEPS.filter((s) => s.questions.includes('consent')).map((s) => s.id);

/** What the wizard shows: a step, the recorded outcome, or a notice (cancelled). */
export type WizardScreen = Extract<Screen, { kind: 'wizard_step' | 'outcome' | 'message' }>;

/** A step as a view: its questions with the answers so far (or the facts' defaults), refusals and what was typed. */
export function wizardStepView(input: {
  policy: CouncilPolicy;
  state: WizardState;
  sessionId: string;
  version: number;
  errors?: Partial<Record<QuestionId, string>>;
  typed?: Partial<Record<QuestionId, string>>;
  /** Where the case's consent register stands, shown as the consent question's hint. */
  consentNote?: string | null;
}): WizardStepView {
  const { policy, state, errors = {}, typed = {}, consentNote = null } = input;
  const { index, total } = stepNumber(policy, state);
  return {
    sessionId: input.sessionId,
    version: input.version,
    step: state.step,
    title: stepTitle(state.step, state.answers),
    stepIndex: index,
    stepTotal: total,
    council: policy.council.data.metadata.council,
    banner: safetyBanner(state.answers),
    questions: questionsFor(policy, state.step, state.answers).map((q) => {
      const answer = state.answers[q.id] ?? (isFactName(q.id) ? FACT_DEFAULTS[q.id] : undefined);
      return {
        id: q.id,
        label: q.label,
        hint: q.id === 'consent' && consentNote ? consentNote : (q.hint ?? null),
        required: q.required,
        errorMessage: q.errorMessage,
        type: q.type.kind === 'choice' ? { kind: 'choice', choices: [...q.type.choices] } : q.type,
        value: typeof answer === 'string' || typeof answer === 'number' || typeof answer === 'boolean' ? answer : null,
        error: errors[q.id] ?? null,
        typed: typed[q.id] ?? null,
      };
    }),
    canGoBack: state.history.length > 0,
  };
}

const CANCELLED: WizardScreen = { kind: 'message', view: notice('check_was_cancelled') };

function isStepId(s: string): s is StepId {
  return (STEP_IDS as readonly string[]).includes(s);
}

export class WizardService {
  private readonly now: () => Date;
  private readonly newId: () => string;
  private readonly sessionReads: TurnSessionReads;

  constructor(private readonly deps: WizardServiceDeps) {
    this.now = deps.now ?? (() => new Date());
    this.newId = deps.newId ?? randomUUID;
    this.sessionReads = new TurnSessionReads((id) => deps.store.getWizardSession(id));
  }

  policyFor(tenantId: string): CouncilPolicy {
    const id = councilForTenant(this.deps.config as Config, tenantId);
    const policy = id ? this.deps.policies.councils.get(id) : undefined;
    if (!policy) {
      throw new UserFacingError('not_configured', 'ChannelCheck is not set up for your organisation yet', 'Ask your IT team to choose your council\'s policy pack.');
    }
    return policy;
  }

  /** Creates a new check and returns its first card. */
  async start(actor: Actor, conversationRef: unknown): Promise<{ sessionId: string; view: WizardStepView }> {
    const policy = this.policyFor(actor.tenantId);
    const state = startWizard(policy, this.now());
    const session = await this.deps.store.createWizardSession({
      id: this.newId(),
      userAadId: actor.aadObjectId,
      tenantId: actor.tenantId,
      councilId: policy.council.data.id,
      step: state.step,
      answers: { answers: state.answers, history: state.history } satisfies StoredProgress,
      conversationRef,
    });
    return { sessionId: session.id, view: wizardStepView({ policy, state, sessionId: session.id, version: session.version }) };
  }

  async attachCard(sessionId: string, activityId: string, conversationRef: unknown): Promise<void> {
    await this.deps.store.attachWizardCard(sessionId, activityId, conversationRef);
  }

  /**
   * The answers so far of the actor's own session; null for a missing session or anyone else's. The read is
   * kept for this turn's step (same actor object, same session), which then does not read it again.
   */
  async answersOf(actor: Actor, sessionId: string): Promise<Record<string, unknown> | null> {
    const session = await this.sessionReads.readAndKeep(actor, sessionId);
    if (!session || session.userAadId !== actor.aadObjectId || session.tenantId !== actor.tenantId) return null;
    return ((session.answers as unknown as StoredProgress | null)?.answers as Record<string, unknown> | undefined) ?? null;
  }

  private async load(actor: Actor, sessionId: string): Promise<{ session: WizardSession; policy: CouncilPolicy; state: WizardState }> {
    const session = await this.sessionReads.take(actor, sessionId);
    // A session of another user is reported exactly like a missing one: a forged id learns nothing.
    if (!session || session.userAadId !== actor.aadObjectId) {
      throw new UserFacingError('session_not_found', 'This check could not be found', 'It may have been started by someone else or removed. Start a new check.');
    }
    const policy = this.deps.policies.councils.get(session.councilId);
    if (!policy) throw new UserFacingError('pack_missing', 'This check\'s policy is no longer available', 'Start a new check.');
    const progress = (session.answers ?? { answers: {}, history: [] }) as unknown as StoredProgress;
    const step = isStepId(session.step) ? session.step : 'contact';
    return { session, policy, state: { step, answers: progress.answers ?? {}, history: progress.history ?? [] } };
  }

  /** A step, with where the case's consent register stands under the consent question. */
  private async stepCard(policy: CouncilPolicy, state: WizardState, sessionId: string, version: number, errors?: Partial<Record<QuestionId, string>>, typed?: Partial<Record<QuestionId, string>>): Promise<WizardScreen> {
    const caseRef = state.answers.caseRef;
    const consentNote = typeof caseRef === 'string' && STEPS_WITH_CONSENT.includes(state.step) ? consentStandingText(await this.deps.store.listConsent(caseRef)) : null;
    return { kind: 'wizard_step', view: wizardStepView({ policy, state, sessionId, version, consentNote, ...(errors ? { errors } : {}), ...(typed ? { typed } : {}) }) };
  }

  /** The next check for a case starts from its consent register: given, or withdrawn (declined). It can be changed. */
  private async prefillConsent(answers: Answers): Promise<Answers> {
    if (typeof answers.caseRef !== 'string' || answers.consent !== undefined || answers.contactType === 'staff') return answers;
    const standing = standingConsent(await this.deps.store.listConsent(answers.caseRef));
    return standing ? { ...answers, consent: standing.status === 'given' ? 'given' : 'declined' } : answers;
  }

  /** A session as it stands (for replays and stale versions). */
  private async currentCard(session: WizardSession, policy: CouncilPolicy, state: WizardState, actor: Actor): Promise<WizardScreen> {
    if (session.status === 'completed' && session.decisionId) return { kind: 'outcome', view: await this.deps.decisions.viewFor(session.decisionId, { asking: actor }) };
    if (session.status === 'abandoned') return CANCELLED;
    return this.stepCard(policy, state, session.id, session.version);
  }

  async next(actor: Actor, payload: WizardPayload): Promise<WizardScreen> {
    const { session, policy, state } = await this.load(actor, payload.sessionId);
    if (session.status !== 'active' || session.version !== payload.version) return this.currentCard(session, policy, state, actor);

    const result = submitStep(policy, state, payload.inputs, this.deps.config.caseRefPattern);
    if (!result.ok) {
      // Re-render the same step with everything given on it and the errors; nothing is stored, the version stays.
      return this.stepCard(policy, { ...state, answers: result.answers }, session.id, session.version, result.errors, result.typed);
    }
    if (!result.done) {
      const nextState = { ...result.state, answers: await this.prefillConsent(result.state.answers) };
      const applied = await this.deps.store.applyWizardStep(session.id, payload.version, {
        step: nextState.step,
        answers: { answers: nextState.answers, history: nextState.history } satisfies StoredProgress,
        caseRef: typeof nextState.answers.caseRef === 'string' ? nextState.answers.caseRef : null,
      });
      if (applied.kind === 'not_found') throw new UserFacingError('session_not_found', 'This check could not be found', 'Start a new check.');
      if (applied.kind !== 'applied') {
        const again = await this.load(actor, session.id);
        return this.currentCard(again.session, again.policy, again.state, actor);
      }
      return this.stepCard(policy, nextState, session.id, applied.session.version);
    }
    const recorded = await this.deps.decisions.record({
      actor,
      policy,
      facts: result.facts,
      caseRef: result.caseRef,
      completesSession: { sessionId: session.id, expectedVersion: payload.version },
      practitionerCard: cardRefOf(session),
    });
    return { kind: 'outcome', view: recorded.view };
  }

  async back(actor: Actor, payload: WizardPayload): Promise<WizardScreen> {
    const { session, policy, state } = await this.load(actor, payload.sessionId);
    if (session.status !== 'active' || session.version !== payload.version || state.history.length === 0) {
      return this.currentCard(session, policy, state, actor);
    }
    const previous = goBack(state);
    const applied = await this.deps.store.applyWizardStep(session.id, payload.version, {
      step: previous.step,
      answers: { answers: previous.answers, history: previous.history } satisfies StoredProgress,
    });
    if (applied.kind !== 'applied') {
      const again = await this.load(actor, session.id);
      return this.currentCard(again.session, again.policy, again.state, actor);
    }
    return this.stepCard(policy, previous, session.id, applied.session.version);
  }

  /**
   * Cancels every check the person has in progress (the "cancel" command): nothing of them is recorded.
   * Returns the notice to answer with and, for each session whose card was sent, what to show in its place.
   */
  async cancelActive(actor: Actor): Promise<{ cancelled: number; view: MessageView; cardUpdates: Array<{ card: CardRef; replacement: WizardScreen }> }> {
    const sessions = await this.deps.store.listActiveWizardSessions(actor.aadObjectId, actor.tenantId, 20);
    const cardUpdates: Array<{ card: CardRef; replacement: WizardScreen }> = [];
    for (const session of sessions) {
      await this.deps.store.abandonWizardSession(session.id);
      const card = cardRefOf(session);
      if (card) cardUpdates.push({ card, replacement: CANCELLED });
    }
    const view = sessions.length === 0 ? notice('nothing_to_cancel') : notice('checks_cancelled', { count: sessions.length });
    return { cancelled: sessions.length, view, cardUpdates };
  }

  async cancel(actor: Actor, payload: WizardPayload): Promise<WizardScreen> {
    const { session, policy, state } = await this.load(actor, payload.sessionId);
    if (session.status !== 'active') return this.currentCard(session, policy, state, actor);
    await this.deps.store.abandonWizardSession(session.id);
    return { kind: 'message', view: notice('check_cancelled') };
  }
}

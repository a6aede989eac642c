/**
 * The tab's API: each route is one call to a service or a pure view function, for the person signed in.
 * The answers are the same view data the bot's presenters turn into cards.
 */
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { packView } from '../domain/policy/packView';
import { HttpRefusal } from '../server/httpRefusal';
import type { TabApi } from './tabRoutes';

export interface TabApiDeps {
  councilPolicy: (tenantId: string) => CouncilPolicy | null;
  now: () => Date;
}

export function buildTabApi(deps: TabApiDeps): TabApi {
  const policyOf = (tenantId: string) => {
    const policy = deps.councilPolicy(tenantId);
    if (!policy) throw new HttpRefusal(404, 'no council policy is configured for your organisation');
    return policy;
  };
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
    },
    post: {},
  };
}

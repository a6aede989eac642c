/**
 * The tab's page: signs in (Teams SSO, or the local development sign-in when the server offers it), then
 * shows one of three views: My checks, Approvals, Policy. Outside Teams without the development sign-in,
 * it says that it must be opened in Teams.
 */
import { ApiError, apiClient, type Api } from './api';
import { h, show } from './dom';
import { applyTheme, devPeople, devSignIn, type DevPerson, type SignedIn, teamsSignIn } from './host';
import { approvalsView } from './approvalsView';
import { myChecksView } from './myChecksView';
import { policyView } from './policyView';

type ViewName = 'my-checks' | 'approvals' | 'policy';
const VIEWS: Record<ViewName, { title: string; render: (api: Api, refresh: () => void) => Promise<Node[]> }> = {
  'my-checks': { title: 'My checks', render: myChecksView },
  approvals: { title: 'Approvals', render: approvalsView },
  policy: { title: 'Policy', render: (api) => policyView(api) },
};

const main = document.getElementById('content') as HTMLElement;
const params = new URLSearchParams(location.search);

function viewFromUrl(): ViewName {
  const v = new URLSearchParams(location.search).get('view');
  return v === 'approvals' || v === 'policy' ? v : 'my-checks';
}

function outsideTeams(): void {
  show(
    main,
    h('h1', {}, 'Open ChannelCheck in Microsoft Teams'),
    h('p', {}, 'This page is part of the ChannelCheck app in Microsoft Teams. It signs you in with your Teams account, so it only works inside Teams.'),
    h('p', {}, 'In Teams, open Apps, find ChannelCheck, and choose My checks, Approvals or Policy.'),
  );
}

async function chooseDevPerson(people: DevPerson[]): Promise<SignedIn> {
  const wanted = params.get('as');
  if (wanted) return devSignIn(wanted);
  return new Promise((resolve, reject) => {
    const select = h('select', { id: 'dev-person' }, people.map((p) => h('option', { value: p.aadObjectId }, p.displayName)));
    const form = h(
      'form',
      { onsubmit: (e: Event) => { e.preventDefault(); devSignIn(select.value).then(resolve, reject); } },
      h('div', { class: 'field' }, h('label', { for: 'dev-person' }, 'Sign in as'), select),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Sign in')),
    );
    show(
      main,
      h('h1', {}, 'Local development sign-in'),
      h('p', { class: 'notice warning' }, 'This server offers a development sign-in as any person of its directory file. It is for local use only and is refused in production. In Teams, you are signed in with your Teams account.'),
      form,
    );
    select.focus();
  });
}

async function signIn(): Promise<SignedIn | null> {
  const teams = await teamsSignIn();
  if (teams) return teams;
  const people = await devPeople();
  return people ? chooseDevPerson(people) : null;
}

function start(session: SignedIn): void {
  const api = apiClient(session);
  const nav = document.getElementById('nav') as HTMLElement;
  const who = document.getElementById('who') as HTMLElement;
  who.textContent = session.displayName ? `Signed in as ${session.displayName}${session.kind === 'dev' ? ' (development sign-in)' : ''}` : '';
  nav.hidden = false;

  const render = async (focus: boolean) => {
    const name = viewFromUrl();
    const view = VIEWS[name];
    document.title = `${view.title} · ChannelCheck`;
    for (const a of nav.querySelectorAll<HTMLAnchorElement>('a[data-view]')) {
      if (a.dataset.view === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    show(main, h('p', { class: 'status', role: 'status' }, `Loading ${view.title}…`));
    try {
      show(main, ...(await view.render(api, () => void render(false))));
    } catch (e) {
      const message = e instanceof ApiError && e.status === 401 ? 'You are no longer signed in. Close and reopen ChannelCheck.' : (e as Error).message;
      show(main, h('h1', {}, view.title), h('p', { class: 'error', role: 'alert' }, message));
    }
    if (focus) main.focus();
  };

  for (const a of nav.querySelectorAll<HTMLAnchorElement>('a[data-view]')) {
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const next = new URLSearchParams(location.search);
      next.set('view', a.dataset.view ?? 'my-checks');
      history.pushState(null, '', `?${next.toString()}`);
      void render(true);
    });
  }
  window.addEventListener('popstate', () => void render(true));
  window.addEventListener('channelcheck:theme', () => void render(false));
  void render(false);
}

applyTheme(params.get('theme') ?? undefined);
signIn().then(
  (session) => (session ? start(session) : outsideTeams()),
  (e) => show(main, h('h1', {}, 'ChannelCheck could not sign you in'), h('p', { class: 'error', role: 'alert' }, (e as Error).message)),
);

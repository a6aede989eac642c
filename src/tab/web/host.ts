/**
 * Where the page runs and who is signed in. Inside Teams: `app.initialize`, the context (user, theme, and
 * theme changes) and a Teams SSO token from `authentication.getAuthToken`. Outside Teams, the page says it
 * must be opened in Teams, unless the server offers the local development sign-in (never in production).
 */
import { app, authentication } from '@microsoft/teams-js';

export type Theme = 'default' | 'dark' | 'contrast';

export interface SignedIn {
  kind: 'teams' | 'dev';
  /** A fresh token for the API (Teams caches and renews its own). */
  token: () => Promise<string>;
  displayName: string | null;
}

export interface DevPerson {
  aadObjectId: string;
  displayName: string;
}

export function applyTheme(theme: string | undefined): void {
  const known: Theme[] = ['default', 'dark', 'contrast'];
  document.documentElement.dataset.theme = known.includes(theme as Theme) ? theme : 'default';
}

/** True when a Teams host may be around us: a frame, or a native client's bridge. */
function mayBeInTeams(): boolean {
  const w = window as Window & { nativeInterface?: unknown };
  return window.parent !== window || Boolean(window.opener) || w.nativeInterface !== undefined;
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timed out')), ms))]);
}

/** Signs in through Teams, or returns null when the page is not in Teams. */
export async function teamsSignIn(): Promise<SignedIn | null> {
  if (!mayBeInTeams()) return null;
  try {
    await within(app.initialize(), 5000);
  } catch {
    return null;
  }
  const context = await app.getContext();
  applyTheme(context.app.theme);
  app.registerOnThemeChangeHandler((theme) => {
    applyTheme(theme);
    // Cards are drawn for a theme: the view draws itself again.
    window.dispatchEvent(new Event('channelcheck:theme'));
  });
  void app.notifySuccess();
  return { kind: 'teams', token: () => authentication.getAuthToken(), displayName: context.user?.displayName ?? null };
}

/** The people the development sign-in offers, or null when the server does not offer it. */
export async function devPeople(): Promise<DevPerson[] | null> {
  const res = await fetch('/api/tab/dev/people').catch(() => null);
  if (!res?.ok) return null;
  return ((await res.json()) as { people: DevPerson[] }).people;
}

export async function devSignIn(aadObjectId: string): Promise<SignedIn> {
  const res = await fetch('/api/tab/dev/sign-in', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ aadObjectId }) });
  if (!res.ok) throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `sign-in failed (${res.status})`);
  const { token, user } = (await res.json()) as { token: string; user: { name: string | null } };
  return { kind: 'dev', token: async () => token, displayName: user.name };
}

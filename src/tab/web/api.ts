/** The tab's API, always with the signed-in person's token; one retry with a fresh token after a 401. */
import type { SignedIn } from './host';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function apiClient(session: SignedIn) {
  const call = async <T>(method: 'GET' | 'POST', path: string, body?: unknown, retried = false): Promise<T> => {
    const res = await fetch(`/api/tab/${path}`, {
      method,
      headers: { Authorization: `Bearer ${await session.token()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (res.status === 401 && !retried && session.kind === 'teams') return call<T>(method, path, body, true);
    const data = (await res.json().catch(() => ({}))) as T & { error?: string };
    if (!res.ok) throw new ApiError(res.status, data.error ?? `ChannelCheck answered ${res.status}`);
    return data;
  };
  return {
    get: <T>(path: string) => call<T>('GET', path),
    post: <T>(path: string, body: unknown) => call<T>('POST', path, body),
  };
}
export type Api = ReturnType<typeof apiClient>;

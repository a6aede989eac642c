/** "My checks": the practitioner's decisions with their status, consent entries and case notes. */
import type { Api } from './api';
import { h } from './dom';

export async function myChecksView(_api: Api, _refresh: () => void): Promise<Node[]> {
  return [h('h1', {}, 'My checks'), h('p', {}, 'Your checks are listed in the ChannelCheck chat: type "my checks".')];
}

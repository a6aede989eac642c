/** "Approvals": requests and alerts waiting for a line manager or delegate, and the team's recent decisions. */
import type { Api } from './api';
import { h } from './dom';

export async function approvalsView(_api: Api, _refresh: () => void): Promise<Node[]> {
  return [h('h1', {}, 'Approvals'), h('p', {}, 'Requests waiting for you are listed in the ChannelCheck chat: type "approvals".')];
}

/** A short titled message with optional paragraphs, a list and a Start button; and the services' notices in words. */
import type { MessageView } from '../../domain/views';
import { type CardJson, renderTemplate } from './renderTemplate';

export interface MessageCardInput {
  title: string;
  paragraphs?: string[];
  items?: string[];
  showStart?: boolean;
}

/** The data the message template is bound to. */
export function messageCardData({ title, paragraphs = [], items = [], showStart = false }: MessageCardInput) {
  return { title, paragraphs, items, showStart };
}

export function messageCard(input: MessageCardInput): CardJson {
  return renderTemplate('message', messageCardData(input));
}

function words(view: MessageView): MessageCardInput {
  const caseRef = view.caseRef ?? 'not given';
  switch (view.notice) {
    case 'check_cancelled':
      return { title: 'Check cancelled', paragraphs: ['Nothing was recorded. You can start again at any time.'] };
    case 'checks_cancelled':
      return { title: view.count === 1 ? 'Check cancelled' : `${view.count ?? 0} checks cancelled`, paragraphs: ['Nothing was recorded. You can start again at any time.'] };
    case 'check_was_cancelled':
      return { title: 'This check was cancelled', paragraphs: ['Nothing was recorded.'] };
    case 'nothing_to_cancel':
      return { title: 'There is no check in progress to cancel', paragraphs: ['Nothing was changed.'] };
    case 'no_consent_to_withdraw':
      return { title: `No consent is recorded for case ${caseRef}`, paragraphs: ['Nothing was changed. Any new check will ask about consent again.'] };
    case 'consent_withdrawn':
      return {
        title: `Consent withdrawal recorded for case ${caseRef}`,
        paragraphs: ['Stop using WhatsApp with them now. The next check for this case will show the withdrawal and answer no WhatsApp unless they agree again.', 'Record the withdrawal in the case record too.'],
      };
  }
}

/** The message a notice view is shown as. */
export function messageOf(view: MessageView): MessageCardInput {
  return { ...words(view), showStart: true };
}

export function presentMessage(view: MessageView): CardJson {
  return messageCard(messageOf(view));
}

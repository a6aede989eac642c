/**
 * Binds a card template from cards/<name>.json with adaptivecards-templating. Templates are read once and
 * kept; the data is the only thing that varies. Cards are never built by string concatenation.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { CARDS_DIR } from '../../paths';

export type CardJson = Record<string, unknown>;

export const TEMPLATE_NAMES = [
  'wizard-step',
  'outcome',
  'error',
  'message',
  'checks-list',
  'approval-request',
  'safeguarding-alert',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

const cache = new Map<string, ACData.Template>();

function template(name: TemplateName): ACData.Template {
  let t = cache.get(name);
  if (!t) {
    const file = path.join(CARDS_DIR, `${name}.json`);
    t = new ACData.Template(JSON.parse(fs.readFileSync(file, 'utf8')));
    cache.set(name, t);
  }
  return t;
}

export function renderTemplate(name: TemplateName, data: object): CardJson {
  return template(name).expand({ $root: data }) as CardJson;
}

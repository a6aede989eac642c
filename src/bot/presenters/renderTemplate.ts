/**
 * Binds a card template from cards/<name>.json. Templates are read and compiled once and kept; the data is
 * the only thing that varies. The binding is adaptivecards-templating's, compiled (compiledTemplate.ts) so
 * that each card costs less; a template the compiler does not take is bound by the library itself. Cards
 * are never built by string concatenation.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as ACData from 'adaptivecards-templating';
import { CARDS_DIR } from '../../paths';
import { type CompiledTemplate, compileTemplate } from './compiledTemplate';

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

/** The template's JSON as cards/<name>.json has it. */
export function templatePayload(name: TemplateName): unknown {
  return JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${name}.json`), 'utf8'));
}

const cache = new Map<string, CompiledTemplate>();

function template(name: TemplateName): CompiledTemplate {
  let t = cache.get(name);
  if (!t) {
    const payload = templatePayload(name);
    t = compileTemplate(payload) ?? new ACData.Template(payload);
    cache.set(name, t);
  }
  return t;
}

export function renderTemplate(name: TemplateName, data: object): CardJson {
  return template(name).expand({ $root: data }) as CardJson;
}

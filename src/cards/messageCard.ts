/** A short titled message with optional paragraphs, a list and a Start button. */
import { type CardJson, renderTemplate } from './renderTemplate';

export interface MessageCardInput {
  title: string;
  paragraphs?: string[];
  items?: string[];
  showStart?: boolean;
}

export function messageCard({ title, paragraphs = [], items = [], showStart = false }: MessageCardInput): CardJson {
  return renderTemplate('message', { title, paragraphs, items, showStart });
}

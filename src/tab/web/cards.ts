/**
 * Shows a card as Teams would, with the Adaptive Cards JavaScript renderer, in the page's theme. The card is
 * read-only here (no inputs or buttons): the tab's own controls act, through the same API.
 */
import * as AdaptiveCards from 'adaptivecards';
import type { CardJson } from './cardTemplates';

type Palette = { text: string; subtle: string; accent: string; good: string; warning: string; attention: string; bg: string; emphasis: string; goodBg: string; warningBg: string; attentionBg: string; accentBg: string };

/** Colours chosen for WCAG AA contrast of every text colour on every container in each theme. */
const PALETTES: Record<string, Palette> = {
  default: { text: '#242424', subtle: '#545454', accent: '#005a63', good: '#0e700e', warning: '#835c00', attention: '#b10e1c', bg: '#ffffff', emphasis: '#f0f0f0', goodBg: '#e7f4e4', warningBg: '#fff4ce', attentionBg: '#fde7e9', accentBg: '#e3f1f2' },
  dark: { text: '#ffffff', subtle: '#c8c8c8', accent: '#7fd8dd', good: '#92d38e', warning: '#ffd66b', attention: '#ffa3ad', bg: '#292929', emphasis: '#333333', goodBg: '#0d3a0b', warningBg: '#463100', attentionBg: '#3f1011', accentBg: '#073b40' },
  contrast: { text: '#ffffff', subtle: '#ffffff', accent: '#ffff00', good: '#3ff23f', warning: '#ffff00', attention: '#ffff00', bg: '#000000', emphasis: '#000000', goodBg: '#000000', warningBg: '#000000', attentionBg: '#000000', accentBg: '#000000' },
};

function hostConfig(theme: string): AdaptiveCards.HostConfig {
  const p = PALETTES[theme] ?? PALETTES.default!;
  const colours = (text: string) => ({
    default: { default: text, subtle: text === p.text ? p.subtle : text },
    dark: { default: text, subtle: text },
    light: { default: text, subtle: text },
    accent: { default: p.accent, subtle: p.accent },
    good: { default: p.good, subtle: p.good },
    warning: { default: p.warning, subtle: p.warning },
    attention: { default: p.attention, subtle: p.attention },
  });
  const style = (backgroundColor: string) => ({ backgroundColor, foregroundColors: colours(p.text) });
  return new AdaptiveCards.HostConfig({
    supportsInteractivity: false,
    // A card's heading sits under the view's own headings (h1 view, h2/h3 item).
    textBlock: { headingLevel: 4 },
    fontFamily: "'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', Arial, sans-serif",
    containerStyles: {
      default: style(p.bg),
      emphasis: style(p.emphasis),
      accent: style(p.accentBg),
      good: style(p.goodBg),
      attention: style(p.attentionBg),
      warning: style(p.warningBg),
    },
  });
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** The little markdown cards use: **bold**, _italic_, [links](https:, tel:, mailto:), line breaks. Everything else is text. */
export function cardMarkdown(text: string): string {
  return escapeHtml(text)
    .replace(/\[([^\]]+)\]\(((?:https:|tel:|mailto:)[^)\s]+)\)/g, (_, label: string, url: string) => `<a href="${url}" target="_blank" rel="noopener noreferrer">${label}</a>`)
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|\s)_([^_]+)_(?=\s|$)/g, '$1<em>$2</em>')
    .replace(/\n/g, '<br>');
}

AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
  result.outputHtml = cardMarkdown(text);
  result.didProcess = true;
};

/** The card rendered for the current theme, in a labelled region. */
export function renderCard(json: CardJson, label: string): HTMLElement {
  const card = new AdaptiveCards.AdaptiveCard();
  card.hostConfig = hostConfig(document.documentElement.dataset.theme ?? 'default');
  card.parse(json);
  const host = document.createElement('div');
  host.className = 'card-host';
  host.setAttribute('role', 'region');
  host.setAttribute('aria-label', label);
  const rendered = card.render();
  if (rendered) host.append(rendered);
  return host;
}

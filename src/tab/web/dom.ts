/** Builds elements from data without ever parsing HTML: every text goes in as text. */
import type * as CardViews from './cardViews';

type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | undefined | ((event: Event) => void)>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) el.setAttribute(name, '');
    else el.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}

/** A titled definition list of the entries that have a value. */
export function facts(entries: Array<[string, string | null | undefined]>): HTMLDListElement {
  return h('dl', {}, entries.filter(([, v]) => v).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '')]));
}

/** Replaces the view's content and tells assistive technology what changed. */
export function show(main: HTMLElement, ...content: Node[]): void {
  main.replaceChildren(...content);
}

/** A polite live message, e.g. after an action. */
export function announce(text: string): void {
  const status = document.getElementById('announce') ?? document.body.appendChild(h('p', { id: 'announce', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }));
  status.textContent = text;
}

/**
 * A disclosure that shows a card, made the first time it is opened (the card code loads then). The card is
 * made again for the current theme each time the view is drawn.
 */
export function cardDisclosure(summary: string, make: (cards: typeof CardViews) => HTMLElement): HTMLDetailsElement {
  const details = h('details', { class: 'card-disclosure' }, h('summary', {}, summary));
  details.addEventListener('toggle', () => {
    if (!details.open || details.dataset.loaded) return;
    details.dataset.loaded = 'loading';
    import('./cardViews').then(
      (cards) => {
        details.append(make(cards));
        details.dataset.loaded = 'yes';
      },
      () => {
        details.append(h('p', { class: 'error', role: 'alert' }, 'The card could not be shown; reload the tab.'));
        delete details.dataset.loaded;
      },
    );
  });
  return details;
}

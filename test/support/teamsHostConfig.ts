/**
 * The colours of Microsoft Teams' light and dark host configs that an outcome card can use (from the
 * Adaptive Cards samples, samples/HostConfig/microsoft-teams-light.json and -dark.json), and WCAG 2 contrast.
 * Colours are "#RRGGBB" or, as Teams writes them, "#AARRGGBB".
 */
export type ContainerStyle = 'default' | 'emphasis' | 'accent' | 'good' | 'attention' | 'warning';
export type TextColor = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';

interface Theme {
  background: Record<ContainerStyle, string>;
  /** Foreground colours on the default and emphasis containers, and on the styled (coloured) ones. */
  plain: Record<TextColor, { default: string; subtle: string }>;
  styled: Record<TextColor, { default: string; subtle: string }>;
}

const COLOURED = { accent: '#C7DEF9', good: '#CCFFCC', attention: '#FFC5B2', warning: '#FFE2B2' };

export const TEAMS_THEMES: Record<'light' | 'dark', Theme> = {
  light: {
    background: { default: '#ffffff', emphasis: '#fff9f8f7', ...COLOURED },
    plain: {
      default: { default: '#ff252424', subtle: '#bf252424' },
      dark: { default: '#252424', subtle: '#bf252424' },
      light: { default: '#ffffff', subtle: '#fff3f2f1' },
      accent: { default: '#6264a7', subtle: '#8b8cc7' },
      good: { default: '#92c353', subtle: '#e592c353' },
      warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#c4314b', subtle: '#e5c4314b' },
    },
    styled: {
      default: { default: '#ff252424', subtle: '#bf252424' },
      dark: { default: '#252424', subtle: '#bf252424' },
      light: { default: '#ffffff', subtle: '#fff3f2f1' },
      accent: { default: '#6264a7', subtle: '#8b8cc7' },
      good: { default: '#92c353', subtle: '#e592c353' },
      warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#c4314b', subtle: '#e5c4314b' },
    },
  },
  dark: {
    background: { default: '#ff2d2c2c', emphasis: '#ff292828', ...COLOURED },
    plain: {
      default: { default: '#ffffffff', subtle: '#bfffffff' },
      dark: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
      light: { default: '#ffffffff', subtle: '#bfffffff' },
      accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
      good: { default: '#ff92c353', subtle: '#e592c353' },
      warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#ffd74654', subtle: '#e5d74654' },
    },
    styled: {
      default: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
      dark: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
      light: { default: '#ffffffff', subtle: '#bfffffff' },
      accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
      good: { default: '#ff92c353', subtle: '#e592c353' },
      warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
      attention: { default: '#ffd74654', subtle: '#e5d74654' },
    },
  },
};

type Rgba = [number, number, number, number];

function parse(hex: string): Rgba {
  const h = hex.replace('#', '');
  if (h.length === 6) return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), 1];
  if (h.length === 8) return [parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16), parseInt(h.slice(6, 8), 16), parseInt(h.slice(0, 2), 16) / 255];
  throw new Error(`not a colour: ${hex}`);
}

/** A colour with alpha painted over an opaque one. */
function over(fg: Rgba, bg: Rgba): [number, number, number] {
  return [0, 1, 2].map((i) => fg[i]! * fg[3] + bg[i]! * (1 - fg[3])) as [number, number, number];
}

function luminance([r, g, b]: [number, number, number]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG 2 contrast ratio of a text colour on a background (the background over white when it is translucent). */
export function contrast(fgHex: string, bgHex: string): number {
  const bg = over(parse(bgHex), [255, 255, 255, 1]);
  const fg = over(parse(fgHex), [...bg, 1]);
  const [a, b] = [luminance(fg), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (a + 0.05) / (b + 0.05);
}

/** The contrast of a text element in a container style, in one theme. */
export function textContrast(theme: 'light' | 'dark', style: ContainerStyle, color: TextColor, subtle: boolean): number {
  const t = TEAMS_THEMES[theme];
  const palette = style === 'default' || style === 'emphasis' ? t.plain : t.styled;
  return contrast(palette[color][subtle ? 'subtle' : 'default'], t.background[style]);
}

/**
 * Service colours: mid-tone hues with at least 3:1 contrast on both the dark and the light background, so one
 * list serves both themes. Neighbours in the list differ most; the order is otherwise arbitrary.
 */
const SERVICE_COLOURS = [
  '#8E6CC7',
  '#2F86D6',
  '#7F9A2E',
  '#E0559B',
  '#1B9E9E',
  '#C98500',
  '#6A8CFF',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#A6761D',
  '#C0504D',
] as const;

export type ThemeName = 'dark' | 'light';

/** Colour of the "other" series and of missing data. */
export const OTHER_COLOUR = '#999999';

/** FNV-1a over the name's UTF-16 code units: cheap, and spreads similar names (`svc-1`, `svc-2`) apart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * A service's colour, from its name alone: the same on every chart, in both themes, and whatever other
 * services exist (a colour from a service's place in a list changed when another service appeared). Two
 * services can share a colour; legends and tooltips name them.
 */
export const serviceColour = (service: string): string =>
  SERVICE_COLOURS[hash(service) % SERVICE_COLOURS.length] ?? OTHER_COLOUR;

/** Latency percentiles: colour and dash both differ, so the lines never depend on colour alone. */
export const PERCENTILES = [
  { key: 'p50', label: 'p50', colour: '#56B4E9', dash: undefined },
  { key: 'p95', label: 'p95', colour: '#E69F00', dash: '6 3' },
  { key: 'p99', label: 'p99', colour: '#D55E00', dash: '2 2' },
] as const;

/**
 * Health score 0..1: blue (healthy) through pale yellow to dark vermillion (5x a target, or silent). A
 * blue-yellow-red scale keeps its order for deuteranopia, protanopia and tritanopia, and lightness changes
 * along it, so the heatmap also reads in greyscale.
 */
const HEALTH_STOPS: [number, [number, number, number]][] = [
  [0, [140, 45, 4]],
  [0.25, [217, 95, 14]],
  [0.5, [254, 196, 79]],
  [0.75, [146, 197, 222]],
  [1, [33, 102, 172]],
];

export function healthColour(score: number): string {
  const s = Math.min(1, Math.max(0, score));
  for (let i = 1; i < HEALTH_STOPS.length; i++) {
    const [hi, hiRgb] = HEALTH_STOPS[i]!;
    const [lo, loRgb] = HEALTH_STOPS[i - 1]!;
    if (s <= hi) {
      const f = (s - lo) / (hi - lo);
      const mix = loRgb.map((c, k) => Math.round(c + (hiRgb[k]! - c) * f));
      return `rgb(${mix.join(' ')})`;
    }
  }
  return 'rgb(33 102 172)';
}

/** CSS gradient of the same scale, for the legend. */
export const HEALTH_GRADIENT = `linear-gradient(to right, ${HEALTH_STOPS.map(
  ([s]) => `${healthColour(s)} ${s * 100}%`,
).join(', ')})`;

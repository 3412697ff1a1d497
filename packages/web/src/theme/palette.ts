/**
 * Okabe-Ito: distinguishable with the common colour-vision deficiencies. Ordered per theme so the first
 * colours have contrast on that background (yellow is unreadable on white, dark blue on near-black).
 */
const SERIES = {
  dark: ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#CC79A7', '#D55E00', '#0072B2'],
  light: ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#D55E00', '#56B4E9', '#000000'],
} as const;

export type ThemeName = keyof typeof SERIES;

/** Colour of the "other" series and of missing data. */
export const OTHER_COLOUR = '#999999';

export const seriesColour = (theme: ThemeName, index: number): string =>
  SERIES[theme][index % SERIES[theme].length] ?? OTHER_COLOUR;

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

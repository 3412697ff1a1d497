/** A tiny trend line (plain SVG: a card needs no axes); gaps where there is no data. */
export function Sparkline({ values, colour = 'var(--accent)' }: { values: (number | null)[]; colour?: string }) {
  const width = 120;
  const height = 32;
  const known = values.filter((v): v is number => v !== null);
  if (known.length < 2) return <svg width={width} height={height} aria-hidden="true" />;
  const min = Math.min(...known);
  const max = Math.max(...known);
  const spread = max - min || 1;
  const x = (i: number) => (i / Math.max(1, values.length - 1)) * width;
  const y = (v: number) => height - 2 - ((v - min) / spread) * (height - 4);
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  return (
    <svg width={width} height={height} aria-hidden="true" className="sparkline">
      <path d={d} fill="none" stroke={colour} strokeWidth={1.5} />
    </svg>
  );
}

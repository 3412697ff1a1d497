import { type KeyboardEvent, type MouseEvent, useId, useMemo, useState } from 'react';
import type { Services } from '../../api/endpoints.ts';
import { useHealth } from '../../hooks/useResources.ts';
import { maxPointsFor, useWidth } from '../../hooks/useWidth.ts';
import type { PageConfig } from '../../theme/page-config.ts';
import { HEALTH_GRADIENT, healthColour } from '../../theme/palette.ts';
import { formatDateTime } from '../../time-format.ts';
import { ChartFrame } from './ChartFrame.tsx';
import { explainCell, heatmapGrid, isSilent } from './health.ts';
import { AXIS_WIDTH, plotWidth, timeScale } from './parts.tsx';

/** Height of the time axis under the rows. */
const AXIS_HEIGHT = 20;
const ROW_HEIGHT = 20;
const MAX_ROWS = 40;

export interface HealthHeatmapProps {
  range: { from: string; to: string };
  services: Services;
  targets: PageConfig['healthTargets'];
  onService: (service: string) => void;
}

/** Services x time coloured by health score; hover (or arrow keys) explains a cell, Enter opens the service. */
export function HealthHeatmap({ range, services, targets, onService }: HealthHeatmapProps) {
  const [bodyRef, width] = useWidth<HTMLDivElement>();
  const plot = plotWidth(width);
  const query = useHealth(range, maxPointsFor(plot, 8));
  const grid = useMemo(() => (query.data ? heatmapGrid(query.data, services, MAX_ROWS) : null), [query.data, services]);
  const [active, setActive] = useState<{ row: number; col: number } | null>(null);
  const cardId = useId();
  // useId's colons would end the `url(#...)` reference.
  const silentId = `silent-${useId().replaceAll(':', '')}`;
  const cols = grid?.times.length ?? 0;
  // Cells sit on the window's time scale, as the charts' points do, so a moment lines up across them.
  const window = query.data ?? { from: 0, to: 1 };
  const span = Math.max(1, window.to - window.from);
  const x = (t: number) => Math.min(plot, Math.max(0, ((t - window.from) / span) * plot));
  const step = query.data?.step ?? 0;
  const axis = timeScale(window, width);
  const height = Math.max(120, (grid?.rows.length ?? 0) * ROW_HEIGHT + AXIS_HEIGHT + 8);
  const row = active ? grid?.rows[active.row] : undefined;
  const cell = active ? row?.cells[active.col] : undefined;

  const cellAt = (e: MouseEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    const r = Math.floor((e.clientY - box.top) / ROW_HEIGHT);
    const t = window.from + ((e.clientX - box.left) / plot) * span;
    const c = grid ? grid.times.findIndex((start) => t >= start && t < start + step) : -1;
    return grid && r >= 0 && r < grid.rows.length && c >= 0 ? { row: r, col: c } : null;
  };

  const onKeyDown = (e: KeyboardEvent) => {
    if (!grid || grid.rows.length === 0 || cols === 0) return;
    const at = active ?? { row: 0, col: cols - 1 };
    const moves: Record<string, [number, number]> = {
      ArrowUp: [-1, 0],
      ArrowDown: [1, 0],
      ArrowLeft: [0, -1],
      ArrowRight: [0, 1],
    };
    const move = moves[e.key];
    if (move) {
      e.preventDefault();
      const r = Math.min(grid.rows.length - 1, Math.max(0, at.row + (active ? move[0] : 0)));
      const c = Math.min(cols - 1, Math.max(0, at.col + (active ? move[1] : 0)));
      setActive({ row: r, col: c });
    } else if (e.key === 'Enter' && row) onService(row.service);
    else if (e.key === 'Escape') setActive(null);
  };

  return (
    <ChartFrame
      title="Service health"
      testId="chart-health"
      query={query}
      empty={!grid || grid.rows.length === 0 || cols === 0}
      bodyRef={bodyRef}
      height={height + 28}
      actions={<HealthLegend />}
      facts={{ rows: grid?.rows.length ?? 0, cols }}
    >
      {grid && (
        <div className="heatmap">
          <div className="heatmap-labels" style={{ width: AXIS_WIDTH }}>
            {grid.rows.map((r) => (
              <button
                type="button"
                key={r.service}
                className="link-button"
                title={r.service}
                onClick={() => onService(r.service)}
              >
                {r.service}
              </button>
            ))}
          </div>
          <svg
            width={plot}
            height={grid.rows.length * ROW_HEIGHT + AXIS_HEIGHT}
            role="application"
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a custom widget: arrow keys move between cells.
            tabIndex={0}
            aria-label="Health heatmap: arrow keys move between cells, Enter opens the service"
            aria-describedby={cell ? cardId : undefined}
            onKeyDown={onKeyDown}
            onMouseMove={(e) => setActive(cellAt(e))}
            onMouseLeave={() => setActive(null)}
            onClick={(e) => {
              const at = cellAt(e);
              const service = at && grid.rows[at.row]?.service;
              if (service) onService(service);
            }}
          >
            <defs>
              <SilentPattern id={silentId} />
            </defs>
            {grid.rows.map((r, ri) =>
              r.cells.map((c, ci) => {
                const start = grid.times[ci] ?? 0;
                const left = x(start);
                return (
                  <rect
                    key={`${r.service}-${start}`}
                    x={left}
                    y={ri * ROW_HEIGHT}
                    width={Math.max(1, x(start + step) - left - 1)}
                    height={ROW_HEIGHT - 2}
                    fill={
                      c?.score == null ? 'var(--panel-2)' : isSilent(c) ? `url(#${silentId})` : healthColour(c.score)
                    }
                    data-silent={c && isSilent(c) ? 'true' : undefined}
                    stroke={active?.row === ri && active.col === ci ? 'var(--text)' : undefined}
                  />
                );
              }),
            )}
            <g className="heatmap-axis" transform={`translate(0 ${grid.rows.length * ROW_HEIGHT})`}>
              {axis.ticks.map((t) => (
                <g key={t} transform={`translate(${x(t)} 0)`}>
                  <line y2={4} stroke="var(--muted)" />
                  <text y={15} textAnchor="middle" fill="var(--muted)" fontSize={11}>
                    {axis.format(t)}
                  </text>
                </g>
              ))}
            </g>
          </svg>
          {row && active && (
            <div
              id={cardId}
              role="tooltip"
              className="hover-card"
              style={{
                left: Math.max(0, Math.min(AXIS_WIDTH + x(grid.times[active.col] ?? 0) + 12, width - 300)),
                top: active.row * ROW_HEIGHT + ROW_HEIGHT + 4,
              }}
            >
              <strong>{row.service}</strong>
              <div className="muted">{formatDateTime(grid.times[active.col] ?? 0)}</div>
              <div>Score: {cell?.score == null ? 'no data' : cell.score.toFixed(2)}</div>
              {cell && explainCell(cell, targets).map((line) => <div key={line}>{line}</div>)}
            </div>
          )}
          {grid.hidden > 0 && (
            <p className="muted">{grid.hidden} healthier services are not shown; filter services to see them.</p>
          )}
        </div>
      )}
    </ChartFrame>
  );
}

/** Stripes of the failing colour on the empty colour: silent, which scores 0, but is not failing requests. */
const SILENT_STRIPES = `repeating-linear-gradient(45deg, ${healthColour(0)} 0 3px, var(--panel-2) 3px 6px)`;

function SilentPattern({ id }: { id: string }) {
  return (
    <pattern id={id} width={6} height={6} patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
      {/* Paths, not rects: the cells are the chart's only rects (the page's tests find cells by it). */}
      <path d="M0 0h6v6h-6z" fill="var(--panel-2)" />
      <path d="M0 0h3v6h-3z" fill={healthColour(0)} />
    </pattern>
  );
}

function HealthLegend() {
  return (
    <div
      className="legend"
      role="img"
      aria-label="Health score scale: blue is healthy (1), dark red is failing (0), striped is silent (no requests), grey is no data"
    >
      <span className="muted">0 failing</span>
      <span className="legend-bar" style={{ background: HEALTH_GRADIENT }} />
      <span className="muted">1 healthy</span>
      <span className="legend-swatch" style={{ background: SILENT_STRIPES }} />
      <span className="muted">silent</span>
      <span className="legend-swatch" style={{ background: 'var(--panel-2)' }} />
      <span className="muted">no data</span>
    </div>
  );
}

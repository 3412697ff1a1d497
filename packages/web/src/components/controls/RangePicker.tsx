import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Navigate } from '../../hooks/useView.ts';
import { activePreset, isLive, PRESETS, resolveWindow, type ViewState } from '../../state/view.ts';
import { formatDateTime, parseDateTime } from '../../time-format.ts';

/** Presets (live, relative to now) and a custom absolute range. */
export function RangePicker({ view, navigate }: { view: ViewState; navigate: Navigate }) {
  const active = activePreset(view);
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const fromId = useId();
  const toId = useId();
  const customButton = useRef<HTMLButtonElement>(null);

  const closeCustom = () => {
    setCustom(null);
    customButton.current?.focus();
  };
  // On a phone the panel covers the controls below it: Escape (wherever the focus is) and a second tap on
  // Custom close it too.
  const open = custom !== null;
  useEffect(() => {
    if (!open) return;
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== 'Escape') return;
      setCustom(null);
      customButton.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);
  const toggleCustom = () => {
    if (custom) return closeCustom();
    const { from, to } = resolveWindow(view, Date.now());
    setError(null);
    setCustom({ from: formatDateTime(from), to: formatDateTime(to) });
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    if (!custom) return;
    const from = parseDateTime(custom.from);
    const to = parseDateTime(custom.to);
    if (from === null || to === null) return setError(`Enter times like ${formatDateTime(Date.now())}.`);
    if (from >= to) return setError('"From" must be before "to".');
    setCustom(null);
    navigate({ from: String(from), to: String(to) });
  };

  return (
    <div className="range-picker">
      <fieldset className="group" aria-label="Time range">
        {PRESETS.map((p) => (
          <button
            type="button"
            key={p}
            aria-pressed={active === p}
            onClick={() => {
              setCustom(null);
              navigate({ from: `now-${p}`, to: 'now' });
            }}
          >
            {p}
          </button>
        ))}
        <button
          type="button"
          ref={customButton}
          aria-pressed={!active}
          aria-expanded={custom !== null}
          onClick={toggleCustom}
        >
          Custom
        </button>
      </fieldset>
      {!isLive(view) && (
        <span className="muted range-text">
          {formatDateTime(Number(view.from))} → {formatDateTime(Number(view.to))}
        </span>
      )}
      {custom && (
        <form className="popover" onSubmit={apply} aria-label="Custom time range">
          <label htmlFor={fromId}>From</label>
          {/* Text in the page's own time format: a datetime-local input shows the browser locale's (AM/PM). */}
          <input
            id={fromId}
            spellCheck={false}
            value={custom.from}
            onChange={(e) => setCustom({ ...custom, from: e.target.value })}
          />
          <label htmlFor={toId}>To</label>
          <input
            id={toId}
            spellCheck={false}
            value={custom.to}
            onChange={(e) => setCustom({ ...custom, to: e.target.value })}
          />
          {error && (
            <span className="error-text" role="alert">
              {error}
            </span>
          )}
          <div className="popover-actions">
            <button type="submit">Apply</button>
            <button type="button" onClick={closeCustom}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

import { type KeyboardEvent, useEffect, useId, useMemo, useRef, useState } from 'react';

/** Checkboxes rendered at once; a search narrows hundreds of services to these. */
const SHOWN = 100;

export interface ServiceFilterProps {
  /** Every known service. */
  all: string[];
  /** Empty means every service. */
  selected: string[];
  onChange: (selected: string[]) => void;
}

/** Multi-select with search. Arrow keys move between the search box and the options; Escape closes. */
export function ServiceFilter({ all, selected, onChange }: ServiceFilterProps) {
  const [open, setOpen] = useState(false);
  const [search, setSearch] = useState('');
  const root = useRef<HTMLDivElement>(null);
  const listId = useId();
  const searchId = useId();
  const chosen = useMemo(() => new Set(selected), [selected]);
  const matches = useMemo(() => {
    const needle = search.trim().toLowerCase();
    // Selected services that are no longer reported still show, so they can be removed.
    const names = [...new Set([...all, ...selected])].sort();
    return needle ? names.filter((s) => s.toLowerCase().includes(needle)) : names;
  }, [all, selected, search]);

  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    return () => document.removeEventListener('mousedown', close);
  }, [open]);

  const toggle = (service: string) =>
    onChange(chosen.has(service) ? selected.filter((s) => s !== service) : [...selected, service]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'Escape') {
      setOpen(false);
      root.current?.querySelector<HTMLButtonElement>('button')?.focus();
      return;
    }
    if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
    const items = [...(root.current?.querySelectorAll<HTMLInputElement>('input') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLInputElement);
    const next = items[Math.min(items.length - 1, Math.max(0, at + (e.key === 'ArrowDown' ? 1 : -1)))];
    if (next) {
      e.preventDefault();
      next.focus();
    }
  };

  const summary =
    selected.length === 0 ? 'All services' : selected.length === 1 ? selected[0] : `${selected.length} services`;
  return (
    <div className="service-filter" ref={root}>
      <button
        type="button"
        aria-expanded={open}
        aria-controls={listId}
        aria-label={`Services: ${summary}`}
        onClick={() => setOpen(!open)}
        onKeyDown={onKeyDown}
        data-testid="service-filter"
      >
        Services: {summary} ▾
      </button>
      {open && (
        <div className="popover" id={listId}>
          <label htmlFor={searchId} className="visually-hidden">
            Search services
          </label>
          <input
            id={searchId}
            type="search"
            placeholder={`Search ${all.length} services`}
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            onKeyDown={onKeyDown}
            // biome-ignore lint/a11y/noAutofocus: opening the filter is asking to type into it.
            autoFocus
          />
          <div className="popover-actions">
            <button type="button" aria-pressed={selected.length === 0} onClick={() => onChange([])}>
              All
            </button>
            <button
              type="button"
              disabled={matches.length === 0}
              onClick={() => onChange([...new Set([...selected, ...matches.slice(0, SHOWN)])])}
            >
              Select shown
            </button>
          </div>
          <fieldset className="option-list" aria-label="Services">
            {matches.slice(0, SHOWN).map((service) => (
              <label key={service} className="option">
                <input
                  type="checkbox"
                  checked={chosen.has(service)}
                  onChange={() => toggle(service)}
                  onKeyDown={onKeyDown}
                />
                <span>{service}</span>
              </label>
            ))}
          </fieldset>
          {matches.length > SHOWN && <p className="muted">{matches.length - SHOWN} more: type to narrow the list.</p>}
          {matches.length === 0 && <p className="muted">No service matches.</p>}
        </div>
      )}
    </div>
  );
}

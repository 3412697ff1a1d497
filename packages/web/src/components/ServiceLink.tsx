import type { MouseEvent } from 'react';
import { useView } from '../hooks/useView.ts';
import { viewUrl } from '../state/view.ts';

/** A service name (always as text) linking to its page, keeping the range and other view state. */
export function ServiceLink({ service }: { service: string }) {
  const { view, navigate } = useView();
  const target = { ...view, page: { name: 'service' as const, service } };
  const onClick = (e: MouseEvent) => {
    if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate({ page: target.page });
  };
  return (
    <a href={viewUrl(target)} onClick={onClick}>
      {service}
    </a>
  );
}

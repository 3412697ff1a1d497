import { createContext, type ReactNode, useContext, useMemo } from 'react';
import { seriesColour } from './palette.ts';
import { useTheme } from './useTheme.ts';

const Order = createContext<ReadonlyMap<string, number>>(new Map());

/** Gives each service one colour on every chart: its place among all services (by name). */
export function ServiceColours({ services, children }: { services: readonly string[]; children: ReactNode }) {
  const order = useMemo(() => new Map([...services].sort().map((s, i) => [s, i])), [services]);
  return <Order.Provider value={order}>{children}</Order.Provider>;
}

/** The colour of a service; services not in the list yet take colours after the known ones. */
export function useServiceColour(): (service: string, fallbackIndex: number) => string {
  const order = useContext(Order);
  const [theme] = useTheme();
  return (service, fallbackIndex) => seriesColour(theme, order.get(service) ?? order.size + fallbackIndex);
}

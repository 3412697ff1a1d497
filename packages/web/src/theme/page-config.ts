import Type, { type Static } from 'typebox';
import Value from 'typebox/value';

const PageConfigSchema = Type.Object({
  healthTargets: Type.Object({ errorRate: Type.Number(), p99Ms: Type.Number() }),
});
export type PageConfig = Static<typeof PageConfigSchema>;

/** The server's defaults, used by the dev server (which does not add the tag). */
const DEFAULTS: PageConfig = { healthTargets: { errorRate: 0.01, p99Ms: 500 } };

/** Settings the server put in `<meta name="pulseboard-config">` when it served the page. */
export function readPageConfig(doc: Document = document): PageConfig {
  const content = doc.querySelector('meta[name="pulseboard-config"]')?.getAttribute('content');
  if (!content) return DEFAULTS;
  try {
    const parsed: unknown = JSON.parse(content);
    return Value.Check(PageConfigSchema, parsed) ? parsed : DEFAULTS;
  } catch {
    return DEFAULTS;
  }
}

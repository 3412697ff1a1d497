import type { Rule } from '@pulseboard/shared';
import { useState } from 'react';
import { QueryState } from '../components/QueryState.tsx';
import { useRules, useSilences } from '../hooks/useRules.ts';
import { READ_ONLY_REASON, useCanChange } from '../session/context.ts';
import { RuleEditor } from './rules/RuleEditor.tsx';
import { RulesTable } from './rules/RulesTable.tsx';
import { SilencesPanel } from './rules/SilencesPanel.tsx';

type Editing = { rule: Rule | null } | null;

/** Alert rules (list, create, edit, toggle, delete) and silences. */
export function RulesPage({ services }: { services: readonly string[] }) {
  const rules = useRules();
  const silences = useSilences();
  const [editing, setEditing] = useState<Editing>(null);
  const list = rules.data ?? [];
  const canChange = useCanChange();
  return (
    <div className="stack">
      <section className="panel" aria-labelledby="rules-title" data-testid="rules" data-state={rules.status}>
        <div className="panel-head">
          <h2 id="rules-title">Alert rules</h2>
          <button
            type="button"
            onClick={() => setEditing({ rule: null })}
            disabled={editing !== null || !canChange}
            title={canChange ? undefined : READ_ONLY_REASON}
          >
            New rule
          </button>
        </div>
        <QueryState query={rules} what="rules" height={60} />
        {rules.status === 'ready' && list.length === 0 && <p className="muted">No rules.</p>}
        {list.length > 0 && <RulesTable rules={list} onChanged={rules.retry} onEdit={(rule) => setEditing({ rule })} />}
      </section>
      {editing && (
        <RuleEditor
          key={editing.rule?.id ?? 'new'}
          rule={editing.rule}
          services={services}
          onSaved={() => {
            setEditing(null);
            rules.retry();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <SilencesPanel query={silences} rules={list} />
    </div>
  );
}

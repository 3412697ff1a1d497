import type { Rule } from '@pulseboard/shared';
import { useState } from 'react';
import { deleteRule, updateRule } from '../../api/alerts.ts';
import { READ_ONLY_REASON, useCanChange } from '../../session/context.ts';
import { conditionSummary, ruleInput } from './rule-form.ts';

interface Props {
  rules: Rule[];
  onChanged: () => void;
  onEdit: (rule: Rule) => void;
}

/** Every rule with its state; API rules can be toggled, edited and deleted, file and default rules are read-only. */
export function RulesTable({ rules, onChanged, onEdit }: Props) {
  const [error, setError] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
    onChanged();
  };
  return (
    <>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      <div className="table-scroll rules-scroll">
        <table data-testid="rules-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Service</th>
              <th scope="col">Signal</th>
              <th scope="col">Condition</th>
              <th scope="col">Severity</th>
              <th scope="col">Enabled</th>
              <th scope="col">Source</th>
              <th scope="col" className="num">
                Firing / pending
              </th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {rules.map((rule) => (
              <RuleRow key={rule.id} rule={rule} run={run} onEdit={onEdit} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function RuleRow({
  rule,
  run,
  onEdit,
}: {
  rule: Rule;
  run: (action: () => Promise<unknown>) => Promise<void>;
  onEdit: (rule: Rule) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const canChange = useCanChange();
  const locked = rule.readOnly || !canChange;
  const why = !canChange ? READ_ONLY_REASON : rule.readOnly ? `${rule.source} rule: read-only` : undefined;
  return (
    <tr data-testid="rule-row" data-rule-id={rule.id}>
      <th scope="row">{rule.name}</th>
      <td data-label="Service">{rule.service}</td>
      <td data-label="Signal">{rule.signal}</td>
      <td data-label="Condition">{conditionSummary(rule)}</td>
      <td data-label="Severity">
        <span className={`badge badge-${rule.severity}`}>{rule.severity}</span>
      </td>
      <td data-label="Enabled">
        <input
          type="checkbox"
          checked={rule.enabled}
          disabled={locked}
          title={why}
          aria-label={`${rule.name} enabled`}
          onChange={(e) => void run(() => updateRule(rule.id, ruleInput(rule, { enabled: e.target.checked })))}
        />
      </td>
      <td data-label="Source">{rule.readOnly ? `${rule.source} (read-only)` : rule.source}</td>
      <td data-label="Firing / pending" className="num">
        {rule.alerts ? `${rule.alerts.firing} / ${rule.alerts.pending}` : '–'}
      </td>
      <td data-label="Actions" className="row-actions">
        <button
          type="button"
          disabled={locked}
          title={why}
          onClick={() => onEdit(rule)}
          aria-label={`Edit ${rule.name}`}
        >
          Edit
        </button>
        {confirming ? (
          <>
            <button
              type="button"
              className="danger"
              onClick={() => void run(() => deleteRule(rule.id))}
              aria-label={`Confirm delete ${rule.name}`}
            >
              Confirm delete
            </button>
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button
            type="button"
            disabled={locked}
            title={why}
            onClick={() => setConfirming(true)}
            aria-label={`Delete ${rule.name}`}
          >
            Delete
          </button>
        )}
      </td>
    </tr>
  );
}

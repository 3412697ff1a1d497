import fs from 'node:fs';
import { checkRule, type Rule } from '@pulseboard/shared';
import { parse } from 'yaml';
import { ConfigError } from '../config.ts';
import { toRule } from './rule-set.ts';

/**
 * Rules from `--rules PATH`: YAML or JSON (JSON is YAML), a list of rules or `{ rules: [...] }`. A bad
 * file stops start-up with the rule and field named, like any other bad option.
 */
export function loadRulesFile(file: string): Rule[] {
  const where = `--rules ${file}`;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${where}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed: unknown;
  try {
    parsed = parse(text);
  } catch (error) {
    throw new ConfigError(`${where}: not valid YAML or JSON (${(error as Error).message.split('\n')[0]})`);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list)) throw new ConfigError(`${where}: expected a list of rules or { rules: [...] }`);
  const ids = new Set<string>();
  return list.map((input: unknown, i) => {
    const result = checkRule(input);
    if (!result.ok) throw new ConfigError(`${where}: rules[${i}].${result.field}: ${result.message}`);
    const given = (input as { id?: string }).id;
    const id = given ?? `file-${slug(result.rule.name)}`;
    if (ids.has(id)) throw new ConfigError(`${where}: rules[${i}].id: ${id} is used by an earlier rule`);
    ids.add(id);
    return toRule(id, result.rule, 'file');
  });
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '') || 'rule';

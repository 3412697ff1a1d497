import fs from 'node:fs';
import { checkRule, type Rule } from '@pulseboard/shared';
import { parse } from 'yaml';
import { ConfigError } from '../config.ts';
import { firstRefusedTarget, toRule } from './rule-set.ts';

/**
 * A rules file larger than this is refused before it is read: parsing tens of MB of YAML took the server past
 * its heap cap and V8 aborted. 1 MiB holds thousands of rules.
 */
export const MAX_RULES_FILE_BYTES = 1024 ** 2;

/**
 * Rules from `--rules PATH`: YAML or JSON (JSON is YAML), a list of rules or `{ rules: [...] }`. A bad
 * file stops start-up with the rule and field named, like any other bad option.
 */
export function loadRulesFile(file: string, targetRefusal: (url: string) => string | null): Rule[] {
  const where = `--rules ${file}`;
  let text: string;
  try {
    const { size } = fs.statSync(file);
    if (size > MAX_RULES_FILE_BYTES) {
      const mib = (size / 1024 ** 2).toFixed(1);
      throw new ConfigError(`${where}: the file is ${mib} MiB; a rules file may be at most 1 MiB`);
    }
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if (error instanceof ConfigError) throw error;
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
    const refused = firstRefusedTarget(result.rule, targetRefusal);
    if (refused) throw new ConfigError(`${where}: rules[${i}].${refused}`);
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

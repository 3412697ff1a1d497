import { type SilenceInput, SilenceInputSchema, schemaProblem } from '@pulseboard/shared';
import type { FieldError } from './rule-form.ts';

export interface SilenceForm {
  ruleId: string;
  service: string;
  duration: string;
  comment: string;
}

export const EMPTY_SILENCE: SilenceForm = { ruleId: '', service: '', duration: '1h', comment: '' };
export const SILENCE_FIELDS = ['ruleId', 'service', 'duration', 'comment'] as const;

/** The silence to send, or the field that is wrong (as the server would name it). */
export function checkSilence(form: SilenceForm, createdBy: string): { ok: true; input: SilenceInput } | FieldError {
  const input: Record<string, string> = { duration: form.duration.trim() };
  if (form.ruleId) input.ruleId = form.ruleId;
  if (form.service.trim()) input.service = form.service.trim();
  if (form.comment.trim()) input.comment = form.comment.trim();
  if (createdBy) input.createdBy = createdBy;
  if (!input.ruleId && !input.service) return { field: 'ruleId', message: 'give a rule, a service, or both' };
  const problem = schemaProblem(SilenceInputSchema, input, '');
  if (problem) return problem;
  return { ok: true, input: input as SilenceInput };
}

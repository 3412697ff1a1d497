import Type, { type Static } from 'typebox';

/** What a key allows: ingest only, reading only, or everything (reads, ingest, rules, silences, acks, deletes). */
export const RoleSchema = Type.Union([Type.Literal('ingest'), Type.Literal('read'), Type.Literal('admin')]);
export type Role = Static<typeof RoleSchema>;

/** `POST /api/v1/session`: the page logs in with a read or admin key and gets an HttpOnly session cookie. */
export const SessionInputSchema = Type.Object(
  { key: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);
export type SessionInput = Static<typeof SessionInputSchema>;

/**
 * `GET /api/v1/session`: whether keys are configured (`auth`) and what this request may do. Without keys
 * `role` is `admin` (everything is open); with keys, `null` until the page logs in.
 */
export const SessionSchema = Type.Object({
  auth: Type.Boolean(),
  role: Type.Union([RoleSchema, Type.Null()]),
  /** The label of the key the session was opened with (`label:key` in the configuration), if it has one. */
  label: Type.Optional(Type.String()),
});
export type Session = Static<typeof SessionSchema>;
